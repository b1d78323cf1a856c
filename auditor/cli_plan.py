"""`kafka-audit plan`: write the ordered changes that clear the store findings (never applies them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cli_policy import PolicyOption

if TYPE_CHECKING:
    from auditor.sources.connection import ConnectionSettings

PLAN_REFUSED = 1  # the plan was written, but some change was refused: a person must act first


def plan(
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Folder to write the plan's files into.")],
    bootstrap_server: Annotated[
        str | None, typer.Option("--bootstrap-server", help="HOST:PORT[,HOST:PORT...] of the cluster.")
    ] = None,
    snapshot: Annotated[Path | None, typer.Option("--snapshot", help="Plan from a snapshot file instead.")] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="A saved JSON report of the same cluster: change only what it failed on."),
    ] = None,
    command_config: Annotated[
        Path | None, typer.Option("--command-config", help="Client properties file, as Kafka CLI tools take.")
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=1.0, help="Seconds the collection may take.")] = 30.0,
    throttle: Annotated[
        int, typer.Option("--throttle", min=1, help="Replication throttle (bytes/s) for the reassignment.")
    ] = 50_000_000,
    policy: PolicyOption = None,
) -> None:
    """Plan the fix: reassignment.json, apply.sh (ordered, what-if checked) and plan.md. Read-only."""
    from auditor.engine import load_rules
    from auditor.errors import InputError
    from auditor.plan import PlanRequest, check_output_dir, make_plan, write_plan
    from auditor.policyfile import find_policy, load_policy
    from auditor.progress import terminal_progress

    if (bootstrap_server is None) == (snapshot is None):
        raise InputError("plan needs exactly one of --bootstrap-server (a live cluster) or --snapshot FILE")
    check_output_dir(output_dir)
    rules = load_rules()
    tuned = load_policy(find_policy(policy), rules)
    request = PlanRequest(
        output_dir=output_dir,
        cluster=_connection(bootstrap_server, command_config, timeout) if bootstrap_server else None,
        snapshot=snapshot,
        report=report,
        command_config=command_config,
        throttle_bytes_per_s=throttle,
    )
    with terminal_progress() as progress:
        made, context = make_plan(request, rules, tuned, progress if bootstrap_server else None)
    write_plan(made, context, output_dir)
    typer.echo(
        f"kafka-audit: wrote the plan to {output_dir}: {len(made.moves)} partition move(s), "
        f"{len(made.changes)} config change(s), {len(made.refused)} refused (see plan.md)",
        err=True,
    )
    raise typer.Exit(PLAN_REFUSED if made.refused else 0)


def _connection(bootstrap: str, command_config: Path | None, timeout: float) -> ConnectionSettings:
    from auditor.sources.connection import ConnectionSettings, load_command_config, parse_bootstrap

    return ConnectionSettings(
        bootstrap_servers=parse_bootstrap(bootstrap),
        timeout_s=timeout,
        client=load_command_config(command_config) if command_config else {},
    )
