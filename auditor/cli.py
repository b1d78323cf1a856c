"""The command line: a thin shell that parses flags, calls the library and writes reports.

Heavy modules (kafka-python, rich renderers) are imported inside commands so that
`kafka-audit --help` and `--version` start fast.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from auditor import __version__
from auditor.cli_options import (
    ENV_ALIASES,
    ENV_PREFIX,
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
    connect_settings,
    connection,
    resolve_bootstrap,
)
from auditor.cli_plan import DiffFlag, FixFlag, check_fix_flags, fix_files, plan, say_not_fixed
from auditor.cli_policy import (
    AssumeDownOption,
    BaselineOption,
    CommandLineScope,
    ExcludeInternalFlag,
    GroupOption,
    IgnoreOption,
    NoWaiversFlag,
    PolicyOption,
    SampleIntervalOption,
    SamplesOption,
    SelectOption,
    ServicesOption,
    TopicOption,
    WaiversOption,
    WriteBaselineOption,
    comma_list,
)
from auditor.cli_rules import rules_app
from auditor.errors import AuditError, InputError, InvalidSetting, Setting
from auditor.policy import EXIT_INTERNAL, EXIT_USAGE, FAIL_ON_CHOICES
from auditor.report_cli import (
    FormatsOption,
    MinSeverityOption,
    OutputsOption,
    PrettyFlag,
    QuietFlag,
    RepoRootOption,
    ReportCommand,
    ReportRequest,
    StatisticsFlag,
    VerboseFlag,
    WideFlag,
    check_destinations,
    display,
    parse_min_severity,
    report_app,
    requested_reports,
    write_reports,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from auditor.result import AuditResult

app = typer.Typer(
    rich_markup_mode=None,
    name="kafka-audit",
    help="Can this Kafka deployment lose a message, and where? Audits clusters against the "
    "produce / store / consume no-loss checklist.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(report_app, name="report")
app.add_typer(rules_app, name="rules")
app.command(name="plan")(plan)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kafka-audit {__version__}")
        raise typer.Exit()


VersionFlag = Annotated[
    bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
]
DebugFlag = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]
ClusterOption = Annotated[
    list[str] | None,
    typer.Option(
        "--cluster",
        metavar="NAME=HOST:PORT[,...]",
        help="A cluster of a fleet, by the name reports give it (repeatable): all audited in one run, one exit code.",
    ),
]
ClustersOption = Annotated[
    Path | None,
    typer.Option("--clusters", help="Inventory of a fleet: a file with a 'clusters:' list (default: the policy's)."),
]
FailOnOption = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="SEVERITY",
        help=f"Lowest severity that fails the run: {'|'.join(FAIL_ON_CHOICES)} (default: policy, else high).",
    ),
]
FailOnGapsFlag = Annotated[bool, typer.Option("--fail-on-gaps", help="Exit 4 when some resources could not be read.")]
ExitZeroFlag = Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when findings fail the gate.")]


@app.callback()
def _root(version: VersionFlag = False, debug: DebugFlag = False) -> None:
    """kafka-audit: Kafka message-loss auditor."""


@app.command(cls=ReportCommand)
def audit(
    ctx: typer.Context,
    paths: PathsArgument = None,
    bootstrap_server: BootstrapOption = None,
    snapshot: SnapshotOption = None,
    cluster: ClusterOption = None,
    clusters: ClustersOption = None,
    file_format: FileFormatOption = None,
    client: ClientOption = None,
    command_config: CommandConfigOption = None,
    connect_url: ConnectUrlOption = None,
    connect_config: ConnectConfigOption = None,
    timeout: TimeoutOption = 30.0,
    formats: FormatsOption = None,
    outputs: OutputsOption = None,
    min_severity: MinSeverityOption = None,
    pretty: PrettyFlag = False,
    fail_on: FailOnOption = None,
    fail_on_gaps: FailOnGapsFlag = False,
    exit_zero: ExitZeroFlag = False,
    policy: PolicyOption = None,
    waivers: WaiversOption = None,
    no_waivers: NoWaiversFlag = False,
    baseline: BaselineOption = None,
    write_baseline: WriteBaselineOption = None,
    samples: SamplesOption = 1,
    sample_interval: SampleIntervalOption = 5.0,
    services: ServicesOption = None,
    assume_down: AssumeDownOption = None,
    verbose: VerboseFlag = False,
    quiet: QuietFlag = False,
    statistics: StatisticsFlag = False,
    wide: WideFlag = False,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    topic: TopicOption = None,
    group: GroupOption = None,
    exclude_internal: ExcludeInternalFlag = False,
    fix: FixFlag = False,
    diff: DiffFlag = False,
    repo_root: RepoRootOption = None,
) -> None:
    """Audit configuration files and/or a live cluster (or a snapshot of one): what can lose messages."""
    from auditor.audit import audit_fleet, audit_sources, audit_with_estate
    from auditor.cli_policy import audit_options, fleet
    from auditor.policyfile import find_policy
    from auditor.progress import terminal_progress

    bootstrap_server, bootstrap_from = resolve_bootstrap(ctx, bootstrap_server, command_config)
    if samples > 1 and bootstrap_server is None:
        raise InputError("--samples needs a live cluster (--bootstrap-server)")
    check_fix_flags(fix, diff, paths)
    requests = requested_reports(ctx, formats, outputs)  # usage errors before the cluster is asked
    if repo_root is not None and not repo_root.is_dir():
        raise InputError(f"--repo-root {repo_root} is not a folder")
    named = {"--snapshot": snapshot, "--clusters": clusters, "--command-config": command_config}
    named |= {"--connect-config": connect_config, "--policy": find_policy(policy), "--waivers": waivers}
    named |= {"--baseline": baseline, "--services": services}
    check_destinations(requests, _inputs(paths, named), write_baseline)  # before anything is read or asked
    options = audit_options(
        fail_on=fail_on,
        fail_on_gaps=fail_on_gaps,
        exit_zero=exit_zero,
        policy=policy,
        waivers=waivers,
        no_waivers=no_waivers,
        baseline=baseline,
        write_baseline=write_baseline,
        samples=samples,
        sample_interval=sample_interval,
        assume_down=comma_list(assume_down),
        scope=CommandLineScope(comma_list(select), comma_list(ignore), topic or (), group or (), exclude_internal),
    )
    threshold = parse_min_severity(min_severity)
    shape = display(verbose, quiet, statistics, wide)
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
    single, files, connect = sources.cluster, sources.files, sources.connect
    members = fleet(cluster, clusters, command_config, options, single is not None or snapshot is not None)
    if not (single or snapshot or members or (files and files.paths) or sources.services or connect):
        raise InputError(
            "nothing to audit: give files or folders (PATH...), --bootstrap-server, --snapshot or --connect-url"
        )
    read_cluster = None  # as the audit read it: --fix's later rounds judge the files against it again
    with terminal_progress() as progress:
        if members:
            result = audit_fleet(members, timeout, sources, options, progress)
        else:
            result, estate = audit_with_estate(sources, options, progress if single else None)
            read_cluster = estate.cluster
    if fix or diff:
        rounds = fix_files(sources, options, result, write=fix, cluster=read_cluster)
        changed = any(r.edits for r in rounds)
        if diff:
            raise typer.Exit(1 if changed else 0)
        if changed and members:  # the report says what is left
            result = audit_fleet(members, timeout, sources, options, None)
        elif changed:
            result = audit_sources(sources, options)
        say_not_fixed(rounds, result)
    write_reports(result, requests, threshold, shape, pretty, repo_root)
    _warn_nothing_found(result)
    raise typer.Exit(result.exit_code)


def _inputs(paths: Sequence[str] | None, named: dict[str, Path | None]) -> list[tuple[str, Path | None]]:
    """Every file the run reads, by the flag that names it: no report may be written over one."""
    files = [Path(p) for p in paths or () if p and Path(p).is_file()]
    return [("PATH", path) for path in files] + list(named.items())


def _warn_nothing_found(result: AuditResult) -> None:
    if not result.gaps:
        return  # the file readers are imported only by a run that has gaps to look through
    from auditor.sources.files import NOTHING_FOUND

    for gap in result.gaps:
        if gap.reason == NOTHING_FOUND:
            typer.echo(f"kafka-audit: warning: nothing to audit under {gap.resource}: {gap.reason}", err=True)


@app.command()
def snapshot(
    bootstrap_server: Annotated[str, typer.Option("--bootstrap-server", help="HOST:PORT[,HOST:PORT...].")],
    output: Annotated[Path, typer.Option("--output", help="The snapshot file to write (JSON).")],
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = 30.0,
    fail_on_gaps: FailOnGapsFlag = False,
    pretty: PrettyFlag = False,
    connect_url: ConnectUrlOption = None,
    connect_config: ConnectConfigOption = None,
) -> None:
    """Save a cluster (and Kafka Connect clusters) to a JSON file, secrets redacted, to audit offline."""
    from auditor.audit import take_snapshot
    from auditor.policy import EXIT_GAPS, EXIT_OK
    from auditor.progress import terminal_progress
    from auditor.reports import OutputFormat

    check_destinations([ReportRequest(OutputFormat.JSON, output)], [("--command-config", command_config)])
    with terminal_progress() as progress:
        settings = connection(bootstrap_server, command_config, timeout)
        connect = connect_settings(connect_url or (), connect_config, timeout)
        taken, reads = take_snapshot(settings, output, progress, pretty=True if pretty else None, connect=connect)
    gaps = len(taken.gaps) + sum(len(r.gaps) for r in reads)
    connectors = f", {sum(len(r.connectors) for r in reads)} connectors" if reads else ""
    typer.echo(
        f"kafka-audit: wrote {output}: {len(taken.brokers)} brokers, {len(taken.topics)} topics, "
        f"{len(taken.groups)} groups{connectors}, {gaps} gaps",
        err=True,
    )
    raise typer.Exit(EXIT_GAPS if fail_on_gaps and gaps else EXIT_OK)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the policy.")] = Path(".kafka-audit.yaml"),
) -> None:
    """Write a commented starter policy (profile, fail_on, scope, rules, an example waiver); asks nothing."""
    from importlib.resources import files

    if path.exists():
        raise InputError(f"{path} already exists: kafka-audit init never overwrites a policy")
    starter = files("auditor").joinpath("templates/kafka-audit.yaml").read_text(encoding="utf-8")
    try:
        path.write_text(starter, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from exc
    typer.echo(f"kafka-audit: wrote {path}; `kafka-audit audit` reads it from this folder and below", err=True)


NO_ENV = {"help", "version", "debug", "install_completion", "show_completion"}


def with_environment(command: Any) -> Any:
    """Every option of every command also from KAFKA_AUDIT_<OPTION> (e.g. KAFKA_AUDIT_FAIL_ON=high).

    The command line wins over the environment. Lists: paths separated by ':' (as PATH), other values by spaces.
    """
    for sub in getattr(command, "commands", {}).values():
        with_environment(sub)
    for param in command.params:
        is_option = getattr(param, "param_type_name", "") == "option"
        if is_option and param.name and param.name not in NO_ENV and param.envvar is None:
            long_name = max(param.opts, key=len).lstrip("-").replace("-", "_").upper()
            param.envvar = [ENV_PREFIX + long_name, *ENV_ALIASES.get(param.name, ())]
            param.show_envvar = True
        if param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = _metavar(param)
    return command


# What help shows for a value of each click type (ParamType.name; a range is its number's).
METAVARS = {"file": "PATH", "directory": "PATH", "path": "PATH", "integer": "N", "int": "N", "float": "SECONDS"}


def _metavar(param: Any) -> str:
    """What help shows for a value: PATH, N, [json|sarif], never `<list[Path]>` (from the option's
    click type: a repeatable option's type is its element's)."""
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.name).upper().removesuffix("S")
    kind = param.type
    if kind.name == "choice":
        return "[" + "|".join(str(getattr(choice, "value", choice)) for choice in kind.choices) + "]"
    return METAVARS.get(kind.name.removesuffix(" range"), "TEXT")


def cli() -> Any:
    """The click command behind `kafka-audit`, with its environment variables."""
    return with_environment(typer.main.get_command(app))


# An audit builds millions of small objects (model, facts, passes, report documents) in no
# reference cycle and drops them together: with the collector's default thresholds (700, 10, 10)
# it traversed them again and again, a quarter of the CPU of a 60,000-partition snapshot audit.
COLLECTOR_THRESHOLDS = (50_000, 20, 100)


def main() -> None:
    """Console entry point: one clear line on stderr for every error, documented exit codes.

    Input errors exit 2, could-not-audit 3, anything unexpected EXIT_INTERNAL (never 1, which
    means findings); --debug adds the traceback and keeps the code."""
    debug = "--debug" in sys.argv  # anywhere: before or after the subcommand
    tune_gc()
    if sys.stdout is None:  # started with stdout closed (>&-): reports and messages would vanish
        _fail("cannot write output: stdout is closed", EXIT_USAGE, debug)
    try:
        args = [arg for arg in sys.argv[1:] if arg != "--debug"]  # read above, wherever it was given
        code = cli().main(args=args, standalone_mode=False, prog_name="kafka-audit")
    except typer.TyperException as exc:  # usage errors: bad flag, missing option, bad value
        _fail(exc.format_message(), getattr(exc, "exit_code", EXIT_USAGE), debug)
    except (typer.Abort, KeyboardInterrupt):
        _fail("aborted", 130, debug)
    except InvalidSetting as exc:
        _fail(exc.worded(flag_for(exc.setting), flag_for(exc.see) if exc.see else None), exc.exit_code, debug)
    except AuditError as exc:
        _fail(str(exc), exc.exit_code, debug)
    except RecursionError:
        _fail("input nested too deeply to read", EXIT_USAGE, debug)
    except OSError as exc:  # stdout closed or full, a report folder that vanished
        _fail(f"cannot write output: {exc.strerror or exc}", EXIT_USAGE, debug)
    except Exception as exc:  # a bug: its own code, never 1 (findings) or 0
        _fail(f"internal error ({type(exc).__name__}): {exc}; please report it with --debug", EXIT_INTERNAL, debug)
    _flush_stdout()
    sys.exit(code if isinstance(code, int) else 0)


def tune_gc() -> None:
    """Freeze what importing the CLI made (never garbage, never traversed again) and collect
    cycles less often (COLLECTOR_THRESHOLDS)."""
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def flag_for(setting: Setting) -> str:
    """The flag that sets each setting the library names in its errors (mypy checks every one has one)."""
    match setting:
        case Setting.BOOTSTRAP:
            return "--bootstrap-server"
        case Setting.CLIENT:
            return "--client"
        case Setting.CONNECT_URL:
            return "--connect-url"
        case Setting.CONNECT_CONFIG:
            return "--connect-config"
        case Setting.FLEET_CLUSTER:
            return "--cluster"
        case Setting.INVENTORY:
            return "--clusters"
        case Setting.ASSUMED_DOWN:
            return "--assume-down"
        case Setting.FILE_FORMAT:
            return "--file-format"
        case _:
            from auditor.reports import assert_never

            assert_never(setting)


def _flush_stdout() -> None:
    """Reports on stdout are written before the exit code is final: a closed pipe or a full
    disk (/dev/full) is an error, not a silently lost report."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        _fail(f"cannot write output: {exc.strerror or exc}", EXIT_USAGE, False)


def _fail(message: str, code: int, debug: bool) -> NoReturn:
    if debug:
        import traceback  # only --debug prints one: traceback imports linecache and tokenize

        traceback.print_exc()
    one_line = " ".join(message.split())
    if one_line:  # `kafka-audit` alone has already printed the help
        print(f"kafka-audit: error: {one_line}", file=sys.stderr)
    _silence_stdout()
    sys.exit(code)


def _silence_stdout() -> None:
    """When stdout cannot take what it still buffers, point it at /dev/null: the interpreter's
    last flush must not fail and change the exit code."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
