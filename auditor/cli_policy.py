"""The audit command's policy, waiver, baseline and sampling flags, turned into AuditOptions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.errors import InputError
from auditor.policy import FAIL_ON_CHOICES, parse_fail_on

if TYPE_CHECKING:
    from auditor.audit import AuditOptions
    from auditor.fleet import FleetMember

PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file (default: .kafka-audit.yaml in the working folder, if any)."),
]
WaiversOption = Annotated[Path | None, typer.Option("--waivers", help="Waivers file, added to the policy's waivers.")]
NoWaiversFlag = Annotated[bool, typer.Option("--no-waivers", help="Ignore every waiver: show the unfiltered truth.")]
BaselineOption = Annotated[
    Path | None, typer.Option("--baseline", help="Fail only on findings beyond this baseline (--write-baseline).")
]
WriteBaselineOption = Annotated[
    Path | None, typer.Option("--write-baseline", help="Record this run's findings as the accepted baseline.")
]
SamplesOption = Annotated[
    int, typer.Option("--samples", min=1, help="Read partition state N times; report partition findings held in all.")
]
ServicesOption = Annotated[
    Path | None,
    typer.Option("--services", help="Services manifest (a file with a 'services:' section); default: the policy's."),
]
AssumeDownOption = Annotated[
    list[str] | None,
    typer.Option(
        "--assume-down",
        metavar="broker:ID|rack:NAME",
        help="Judge the cluster as if broker:ID or rack:NAME were down (repeatable): a maintenance pre-flight.",
    ),
]
SampleIntervalOption = Annotated[
    float, typer.Option("--sample-interval", min=0.0, help="Seconds between samples (with --samples).")
]


def audit_options(
    *,
    fail_on: str | None,
    fail_on_gaps: bool,
    exit_zero: bool,
    policy: Path | None,
    waivers: Path | None,
    no_waivers: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    samples: int,
    sample_interval: float,
    assume_down: list[str] | None = None,
) -> AuditOptions:
    """Read and validate every file the flags name (InputError, exit 2, before any request)."""
    from auditor.audit import AuditOptions
    from auditor.baseline import load_baseline
    from auditor.engine import load_rules
    from auditor.policyfile import find_policy, load_policy, rule_index
    from auditor.waivers import load_waivers_file
    from auditor.whatif import parse_assume_down

    rules = load_rules()
    tuned = load_policy(find_policy(policy), rules)
    if waivers is not None:
        ids = {key: rule.id for key, rule in rule_index(rules).items()}
        tuned = replace(tuned, waivers=tuned.waivers + load_waivers_file(waivers, ids))
    if no_waivers:
        tuned = replace(tuned, waivers=())
    if baseline is not None and write_baseline is not None:
        raise InputError("give --baseline or --write-baseline, not both")
    threshold = fail_on if fail_on is not None else tuned.fail_on or "high"
    if threshold not in FAIL_ON_CHOICES:
        raise InputError(f"--fail-on must be one of {', '.join(FAIL_ON_CHOICES)}, not {threshold!r}")
    return AuditOptions(
        fail_on=parse_fail_on(threshold),
        fail_on_gaps=fail_on_gaps,
        exit_zero=exit_zero,
        policy=tuned,
        rules=tuple(rules),
        baseline=load_baseline(baseline) if baseline is not None else None,
        write_baseline=write_baseline,
        samples=samples,
        sample_interval_s=sample_interval,
        assume_down=parse_assume_down(assume_down or ()),
    )


def fleet(
    named: list[str] | None,
    inventory: Path | None,
    command_config: Path | None,
    options: AuditOptions,
    has_cluster: bool,
) -> tuple[FleetMember, ...]:
    """The clusters of a fleet run: --cluster NAME=BOOTSTRAP, and the inventory's clusters (--clusters
    FILE, else the policy's `clusters:` when no --bootstrap-server or --snapshot names the cluster);
    `--cluster NAME` alone picks that cluster of the inventory (a CI matrix's shard)."""
    from auditor.fleet import load_inventory, parse_cluster_option, parse_inventory, pick, unique
    from auditor.sources.connection import load_command_config

    named = named or []
    defined, picked = [v for v in named if "=" in v], [v for v in named if "=" not in v]
    if (named or inventory is not None) and has_cluster:
        raise InputError("--cluster/--clusters audit a fleet: leave out --bootstrap-server and --snapshot")
    section = options.policy.clusters if options.policy is not None else None
    listed: tuple[FleetMember, ...] = ()
    if inventory is not None:
        listed = load_inventory(inventory)
    elif section is not None and not has_cluster:
        listed = parse_inventory(section.value, section.where, section.folder)
    if picked:
        listed = pick(listed, picked)
    elif defined:
        listed = ()
    client = load_command_config(command_config) if command_config and defined else {}
    members = unique([*(parse_cluster_option(value, client) for value in defined), *listed], "--cluster")
    if members and (options.samples > 1 or options.assume_down):
        raise InputError("--samples and --assume-down judge one cluster: not with a fleet")
    return members
