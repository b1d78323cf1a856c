"""`kafka-audit plan` (the ordered changes that clear the store findings, never applied) and
`audit --fix/--diff` (local configuration files rewritten for the findings that have a safe fix)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cli_options import (
    BootstrapOption,
    ClientOption,
    CommandConfigOption,
    ConnectConfigOption,
    ConnectUrlOption,
    FileFormatOption,
    PathsArgument,
    SnapshotOption,
    TimeoutOption,
    audit_sources_of,
    resolve_bootstrap,
)
from auditor.cli_policy import (
    AssumeDownOption,
    BaselineOption,
    CommandLineScope,
    ExcludeInternalFlag,
    GroupOption,
    IgnoreOption,
    NoWaiversFlag,
    PolicyOption,
    SelectOption,
    ServicesOption,
    TopicOption,
    WaiversOption,
    comma_list,
)

if TYPE_CHECKING:
    from auditor.audit import AuditOptions, Sources
    from auditor.findings import Finding
    from auditor.fix import Fixes
    from auditor.fix.locate import AuditedFiles
    from auditor.model import ClusterSnapshot
    from auditor.result import AuditResult

PLAN_REFUSED = 1  # the plan was written, but some change was refused: a person must act first


ReportOption = Annotated[
    Path | None,
    typer.Option("--report", help="A saved JSON report of the same cluster: change only what it failed on."),
]
ThrottleOption = Annotated[
    int, typer.Option("--throttle", min=1, help="Replication throttle (bytes/s) for the reassignment.")
]


def plan(
    ctx: typer.Context,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Folder to write the plan's files into.")],
    paths: PathsArgument = None,
    bootstrap_server: BootstrapOption = None,
    snapshot: SnapshotOption = None,
    report: ReportOption = None,
    file_format: FileFormatOption = None,
    client: ClientOption = None,
    command_config: CommandConfigOption = None,
    connect_url: ConnectUrlOption = None,
    connect_config: ConnectConfigOption = None,
    timeout: TimeoutOption = 30.0,
    throttle: ThrottleOption = 50_000_000,
    policy: PolicyOption = None,
    waivers: WaiversOption = None,
    no_waivers: NoWaiversFlag = False,
    baseline: BaselineOption = None,
    services: ServicesOption = None,
    assume_down: AssumeDownOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    topic: TopicOption = None,
    group: GroupOption = None,
    exclude_internal: ExcludeInternalFlag = False,
) -> None:
    """Plan the fix: reassignment.json, apply.sh (ordered, what-if checked) and plan.md. Read-only.

    Reads and judges what `audit` would with the same flags; changes only the cluster's store
    findings that audit fails on."""
    from auditor.cli_policy import audit_options
    from auditor.errors import InputError
    from auditor.plan import PlanRequest, make_plan, write_plan
    from auditor.progress import terminal_progress

    bootstrap_server, bootstrap_from = resolve_bootstrap(ctx, bootstrap_server, command_config)
    if (bootstrap_server is None) == (snapshot is None):
        raise InputError("plan needs exactly one of --bootstrap-server (a live cluster) or --snapshot FILE")
    check_output_dir(output_dir)
    options = audit_options(
        fail_on=None,
        fail_on_gaps=False,
        exit_zero=False,
        policy=policy,
        waivers=waivers,
        no_waivers=no_waivers,
        baseline=baseline,
        write_baseline=None,
        samples=1,
        sample_interval=0.0,
        assume_down=comma_list(assume_down),
        scope=CommandLineScope(comma_list(select), comma_list(ignore), topic or (), group or (), exclude_internal),
    )
    sources = audit_sources_of(
        paths=paths or (),
        bootstrap_server=bootstrap_server,
        snapshot=snapshot,
        file_format=file_format,
        client=client,
        command_config=command_config,
        timeout=timeout,
        connect_url=connect_url or (),
        connect_config=connect_config,
        services=services,
        options=options,
        bootstrap_from=bootstrap_from,
    )
    request = PlanRequest(output_dir, sources, options, report, command_config, throttle)
    with terminal_progress() as progress:
        made, context, _ = make_plan(request, progress if bootstrap_server else None)
    write_plan(made, context, output_dir)
    gaps = f", {len(context.gaps)} gap(s)" if context.gaps else ""
    typer.echo(
        f"kafka-audit: wrote the plan to {output_dir}: {len(made.moves)} partition move(s), "
        f"{len(made.changes)} config change(s), {len(made.refused)} refused{gaps} (see plan.md)",
        err=True,
    )
    raise typer.Exit(PLAN_REFUSED if made.refused else 0)


def check_output_dir(output_dir: Path) -> None:
    """Usage errors about the plan folder, before anything is read."""
    from auditor.errors import InputError

    if output_dir.exists() and not output_dir.is_dir():
        raise InputError(f"--output-dir {output_dir}: exists and is not a folder")
    parent = output_dir if output_dir.exists() else output_dir.parent
    if not parent.exists():
        raise InputError(f"--output-dir {output_dir}: the folder {parent} does not exist")


FixFlag = Annotated[
    bool,
    typer.Option("--fix", help="Rewrite the configuration files for the findings that have a safe file fix."),
]
DiffFlag = Annotated[bool, typer.Option("--diff", help="Print the --fix changes as a unified diff; write nothing.")]


def check_fix_flags(fix: bool, diff: bool, paths: list[str] | None) -> None:
    from auditor.errors import InputError

    if fix and diff:
        raise InputError("give --fix (rewrite the files) or --diff (show the changes), not both")
    if (fix or diff) and not paths:
        raise InputError("--fix and --diff rewrite configuration files: give them as PATH...")


FIX_ROUNDS = 4  # a fix can reveal a finding (idempotence on makes in-flight > 5 matter), and a setting a file
# leaves out is added one round after the written values are fixed: fix again


def fix_files(
    sources: Sources, options: AuditOptions, result: AuditResult, write: bool, cluster: ClusterSnapshot | None = None
) -> list[Fixes]:
    """Fix the files in rounds until nothing more is fixable; write them, or (without `write`) work
    on a scratch copy and print the unified diff against the originals. The first round fixes
    what `result` found; later ones audit the files again with the cluster as first read
    (`cluster`), so a setting a topic file inherits from it is judged the same in every round.
    The rounds' fixes (the last one fixed nothing, or the rounds ran out)."""
    from auditor.audit import audit_sources
    from auditor.fix.locate import AuditedFiles

    files = sources.files
    assert files is not None
    with tempfile.TemporaryDirectory(prefix="kafka-audit-fix-") as scratch:
        paths = files.paths if write else _scratch_copy(files.paths, Path(scratch))
        audited = AuditedFiles(files.paths, paths)
        again = replace(sources, cluster=None, files=replace(files, paths=paths), read_cluster=cluster)
        current = result
        rounds: list[Fixes] = []
        for _ in range(FIX_ROUNDS):
            fixes = _fix_round(current, options, audited)
            rounds.append(fixes)
            if not fixes.edits:
                break
            current = audit_sources(again, options, None)
        if not write:
            typer.echo(_diff_against(files.paths, paths), nl=False)
    lines = sum(len(r.edits) for r in rounds)
    if write and lines:
        typer.echo(f"kafka-audit: fixed {lines} line(s); audited again", err=True)
    return rounds


def _fix_round(result: AuditResult, options: AuditOptions, audited: AuditedFiles) -> Fixes:
    from auditor.engine import load_rules
    from auditor.fix import find_fixes, read_files
    from auditor.policyfile import Policy

    rules = (options.policy or Policy()).tune(options.rules or load_rules())
    findings = [_located(f, audited) for f in result.findings]
    read = read_files([f.location.path for f in findings if f.location is not None])
    fixes = find_fixes(findings, {rule.id: rule.params for rule in rules}, read)
    for path, text in fixes.new_texts(read).items():
        Path(path).write_text(text, encoding="utf-8")
    return fixes


def _located(finding: Finding, audited: AuditedFiles) -> Finding:
    """The finding with its path naming the audited file (or its scratch copy) it points at."""
    where = finding.location
    found = audited.locate(where.path) if where is not None else None
    return replace(finding, location=replace(where, path=found)) if where is not None and found else finding


def _scratch_copy(paths: tuple[str, ...], scratch: Path) -> tuple[str, ...]:
    copies = []
    for index, path in enumerate(paths):
        source, target = Path(path), scratch / str(index) / (Path(path).name or "root")
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        elif source.is_file():
            target.parent.mkdir(parents=True)
            shutil.copy2(source, target)
        copies.append(str(target))
    return tuple(copies)


def _diff_against(originals: tuple[str, ...], copies: tuple[str, ...]) -> str:
    from auditor.fix import unified_diff

    old: dict[str, str] = {}
    new: dict[str, str] = {}
    for original, copy in zip(originals, copies, strict=True):
        for changed in _files(Path(copy)):
            name = str(Path(original) / changed.relative_to(copy)) if Path(original).is_dir() else original
            before = Path(name).read_text(encoding="utf-8")
            after = changed.read_text(encoding="utf-8")
            if before != after:
                old[name], new[name] = before, after
    return unified_diff(new, old)


def _files(root: Path) -> list[Path]:
    return [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def say_not_fixed(rounds: list[Fixes], left: AuditResult) -> None:
    """The findings still there after the fix that it could not fix, each with the reason."""
    remaining = {f.fingerprint for f in left.findings}
    for item in (item for fixes in rounds[-1:] for item in fixes.not_fixed):
        where = item.finding.location
        if where is None or item.finding.fingerprint not in remaining or item.finding.status.value != "fail":
            continue
        line = f":{where.line}" if where.line else ""
        typer.echo(f"kafka-audit: not fixed: {where.path}{line} {item.finding.rule_id}: {item.reason}", err=True)
