"""Report options shared by commands (`--format F [--output PATH]` pairs, `--min-severity`) and
the `kafka-audit report` sub-app (`report convert`).

Click collects repeated --format and --output values into two lists and forgets how they
interleaved; ReportCommand keeps the raw arguments so each --output pairs with the --format
before it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer
from typer.core import TyperCommand

from auditor.errors import InputError
from auditor.findings import Severity
from auditor.policy import EXIT_USAGE
from auditor.reports import Detail, OutputFormat, RenderOptions

if TYPE_CHECKING:
    from auditor.result import AuditResult

ARGV_KEY = "kafka_audit.argv"
VALUE_OPTIONS_KEY = "kafka_audit.value_options"

STDOUT = Path("-")
DEFAULT_FILE_WIDTH = 100  # the terminal report written to a file, when COLUMNS does not say

FormatsOption = Annotated[
    list[OutputFormat] | None,
    typer.Option("--format", "-f", help="Report format; repeat for several reports in one run. Default: table."),
]
OutputsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--output", "-o", help="Write the report of the --format just before it here ('-': stdout, the default)."
    ),
]
VerboseFlag = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Terminal report: every finding in full, with what it means, rationale and references, and "
        "the rules the policy declares nothing for (STO022 without broker_defaults).",
    ),
]
QuietFlag = Annotated[
    bool, typer.Option("--quiet", "-q", help="Terminal report: only the first line of findings that fail the gate.")
]
StatisticsFlag = Annotated[bool, typer.Option("--statistics", help="Terminal report: add counts per rule.")]
WideFlag = Annotated[bool, typer.Option("--wide", help="Terminal report as the boxed table, a column per field.")]
MinSeverityOption = Annotated[
    str | None,
    typer.Option(
        "--min-severity",
        metavar="SEVERITY",
        help=f"Show only findings at or above: {'|'.join(s.value for s in Severity)}. Never changes the exit code.",
    ),
]
RepoRootOption = Annotated[
    Path | None,
    typer.Option(
        "--repo-root",
        help="SARIF, GitHub and JUnit reports name files relative to this folder (default: the git top "
        "level of the working folder); files outside it keep their absolute path.",
    ),
]
PrettyFlag = Annotated[
    bool,
    typer.Option(
        "--pretty",
        help="Indent JSON output (json, sarif reports; snapshots). Default: indented only when under 1 MB.",
    ),
]


class ReportCommand(TyperCommand):
    """A command that remembers its raw arguments, to pair each --output with its --format."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta[ARGV_KEY] = list(args)
        ctx.meta[VALUE_OPTIONS_KEY] = {
            opt for param in self.params if not getattr(param, "is_flag", True) for opt in getattr(param, "opts", ())
        }
        return super().parse_args(ctx, args)


@dataclass(frozen=True)
class ReportRequest:
    format: OutputFormat
    output: Path | None  # None: stdout


@dataclass(frozen=True)
class Display:
    """How the terminal report is laid out (--verbose, --quiet, --statistics, --wide)."""

    detail: Detail = Detail.NORMAL
    statistics: bool = False
    wide: bool = False


def display(verbose: bool, quiet: bool, statistics: bool, wide: bool) -> Display:
    if verbose and quiet:
        raise InputError("give --verbose or --quiet, not both")
    detail = Detail.VERBOSE if verbose else Detail.QUIET if quiet else Detail.NORMAL
    return Display(detail, statistics, wide)


def option_order(argv: Sequence[str], value_options: set[str]) -> list[str]:
    """'format' and 'output' in the order the user gave them (values of other options skipped)."""
    order: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            break
        name = token.split("=", 1)[0]
        kind = _PAIR_OPTIONS.get(name) or _PAIR_OPTIONS.get(token[:2] if not token.startswith("--") else "")
        if kind is not None:
            order.append(kind)
        if name in value_options and "=" not in token:
            next(tokens, None)
    return order


_PAIR_OPTIONS = {"--format": "format", "-f": "format", "--output": "output", "-o": "output"}


def pair_reports(order: Sequence[str], formats: Sequence[OutputFormat], outputs: Sequence[Path]) -> list[ReportRequest]:
    """Each --output belongs to the --format just before it; no --format means a table on stdout."""
    pending_formats, pending_outputs = iter(formats), iter(outputs)
    pairs: list[list[Any]] = []
    for kind in order:
        if kind == "format":
            pairs.append([next(pending_formats), None])
        elif not pairs or pairs[-1][1] is not None:
            raise InputError("--output must follow the --format it is for: --format F --output PATH")
        else:
            pairs[-1][1] = next(pending_outputs)
    requests = [ReportRequest(fmt, None if path == STDOUT else path) for fmt, path in pairs]
    requests = requests or [ReportRequest(OutputFormat.TABLE, None)]
    _check_destinations(requests)
    return requests


def _check_destinations(requests: list[ReportRequest]) -> None:
    to_stdout = [r.format.value for r in requests if r.output is None]
    if len(to_stdout) > 1:
        raise InputError(f"only one report can go to stdout, got {', '.join(to_stdout)}: give the others --output")
    paths = [r.output.resolve() for r in requests if r.output is not None]
    duplicate = next((p for p in paths if paths.count(p) > 1), None)
    if duplicate is not None:
        raise InputError(f"two reports would be written to {duplicate}")


def requested_reports(
    ctx: typer.Context, formats: list[OutputFormat] | None, outputs: list[Path] | None
) -> list[ReportRequest]:
    order = option_order(ctx.meta.get(ARGV_KEY, []), ctx.meta.get(VALUE_OPTIONS_KEY, set()))
    if not order and formats:  # from the environment (KAFKA_AUDIT_FORMAT, KAFKA_AUDIT_OUTPUT): in pairs
        if outputs and len(outputs) != len(formats):
            raise InputError("KAFKA_AUDIT_OUTPUT needs one path per KAFKA_AUDIT_FORMAT, ':'-separated ('-': stdout)")
        order = ["format", "output"] * len(formats) if outputs else ["format"] * len(formats)
    return pair_reports(order, formats or [], outputs or [])


def parse_min_severity(value: str | None) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity(value.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise InputError(f"--min-severity must be one of {choices}, not {value!r}") from None


def check_destinations(
    requests: Sequence[ReportRequest],
    inputs: Iterable[tuple[str, Path | None]] = (),
    write_baseline: Path | None = None,
) -> None:
    """Before anything is read: every file this run will write can be written, and none is another
    output or a file the run reads (a report never replaces the snapshot, policy or baseline it
    came from). Raises InputError (exit 2)."""
    outputs = [("--output", r.output) for r in requests if r.output is not None]
    if write_baseline is not None:
        outputs.append(("--write-baseline", write_baseline))
    for flag, path in outputs:
        _check_writable(flag, path)
    taken: dict[object, str] = {}
    for flag, path in [(f, p) for f, p in inputs if p is not None]:
        taken.setdefault(_identity(path), f"the {flag} input")
    for flag, path in outputs:
        key = _identity(path)
        if key in taken:
            raise InputError(f"{flag} {path} is also {taken[key]}: give it another file name")
        taken[key] = flag


def _check_writable(flag: str, path: Path) -> None:
    if path.is_dir():
        raise InputError(f"{flag} {path} is a folder: give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{flag} {path}: folder {folder} does not exist")
    exists = path.exists()
    if (exists and not os.access(path, os.W_OK)) or (not exists and not os.access(folder, os.W_OK | os.X_OK)):
        raise InputError(f"{flag} {path}: permission denied")


def _identity(path: Path) -> object:
    """The same file however it is named: device and inode when it exists, else its absolute path."""
    try:
        stat = path.stat()
    except OSError:
        return str(path.resolve())
    return (stat.st_dev, stat.st_ino)


def write_reports(
    result: AuditResult,
    requests: list[ReportRequest],
    min_severity: Severity | None,
    shape: Display | None = None,
    pretty: bool = False,
    repo_root: Path | None = None,
) -> None:
    """Render each requested report of what is shown (the exit code stays the whole run's) and write it.

    Files first, stdout last. When one cannot be written the others still are, and every report
    written records the exit code the process returns (2); then InputError names what failed.
    JSON formats are indented when `pretty`, otherwise only when small."""
    shown = result.shown(min_severity)
    writer = _ReportWriter(requests, _render_options(shape or Display(), pretty, repo_root))
    writer.write_files(shown)
    if writer.failed:
        shown = replace(shown, exit_code=EXIT_USAGE)
        writer.write_files(shown)
    files_failed = bool(writer.failed)
    if not writer.write_stdout(shown) and not files_failed:
        shown = replace(shown, exit_code=EXIT_USAGE)
        writer.write_files(shown)
    if writer.written and not writer.failed and all(request.output is not None for request in requests):
        from auditor.reports.common import printable
        from auditor.reports.terminal import verdict_line

        written = ", ".join(str(path) for path in writer.written)
        print(printable(f"kafka-audit: {verdict_line(shown)}; wrote {written}"), file=sys.stderr)
    if writer.failed:
        raise InputError("; ".join(writer.failed) + _others(writer.written))


def _others(written: Sequence[Path]) -> str:
    if not written:
        return ""
    return f" (wrote {', '.join(str(p) for p in written)}, which record exit {EXIT_USAGE})"


@dataclass(frozen=True)
class _RenderShape:
    display: Display
    pretty: bool
    root: str
    working_dir: str


def _render_options(shape: Display, pretty: bool, repo_root: Path | None) -> _RenderShape:
    cwd = Path.cwd()
    if repo_root is not None and not repo_root.is_dir():
        raise InputError(f"--repo-root {repo_root} is not a folder")
    root = repo_root.resolve() if repo_root is not None else source_root(cwd)
    return _RenderShape(shape, pretty, str(root), str(cwd))


class _ReportWriter:
    """Writes the requested reports, remembering which files were written and which failed."""

    def __init__(self, requests: Sequence[ReportRequest], shape: _RenderShape) -> None:
        self.requests = requests
        self.shape = shape
        self.written: list[Path] = []
        self.failures: dict[Path, str] = {}

    @property
    def failed(self) -> list[str]:
        return list(self.failures.values())

    def render(self, result: AuditResult, request: ReportRequest) -> str:
        from auditor.reports import render

        return render(result, request.format, self.options(request))

    def options(self, request: ReportRequest) -> RenderOptions:
        to_stdout = request.output is None
        return RenderOptions(
            color=to_stdout and use_color(sys.stdout.isatty(), os.environ),
            source_root=self.shape.root,
            working_dir=self.shape.working_dir,
            width=terminal_width(os.environ) if to_stdout else _columns(os.environ) or DEFAULT_FILE_WIDTH,
            detail=self.shape.display.detail,
            statistics=self.shape.display.statistics,
            wide=self.shape.display.wide,
            pretty=True if self.shape.pretty else None,
        )

    def write(self, result: AuditResult, request: ReportRequest, binary: BinaryIO) -> None:
        """The report's bytes to `binary`; the JSON report in pieces, never held whole."""
        if request.format is OutputFormat.JSON:
            from auditor.reports.json_report import write_json

            write_json(result, self.options(request), binary.write)
        else:
            binary.write(self.render(result, request).encode())

    def write_files(self, result: AuditResult) -> None:
        """Each file report not failed yet (again after a failure: those written then are rewritten)."""
        self.written = []
        for request in self.requests:
            path = request.output
            if path is None or path in self.failures:
                continue
            try:
                with path.open("wb") as binary:
                    self.write(result, request, binary)
            except OSError as exc:
                self.failures[path] = f"cannot write {path}: {exc.strerror or exc}"
                _remove_partial(path)
                continue
            self.written.append(path)

    def write_stdout(self, result: AuditResult) -> bool:
        """The report for stdout, if any; False when stdout would not take it (closed, full disk)."""
        request = next((r for r in self.requests if r.output is None), None)
        if request is None:
            return True
        try:
            self._write_stdout(result, request)
        except OSError as exc:
            self.failures[STDOUT] = f"cannot write output: {exc.strerror or exc}"
            return False
        return True

    def _write_stdout(self, result: AuditResult, request: ReportRequest) -> None:
        """The JSON report as bytes to stdout's buffer; other formats (and a stdout without a
        buffer) as text through stdout, in its encoding."""
        binary = getattr(sys.stdout, "buffer", None)
        if request.format is OutputFormat.JSON and binary is not None:
            sys.stdout.flush()
            self.write(result, request, binary)
            binary.flush()
            return
        sys.stdout.write(self.render(result, request))
        sys.stdout.flush()


def _remove_partial(path: Path) -> None:
    """A report cut off by a full disk is no report: a regular file left half-written is removed."""
    try:
        if path.is_file():
            path.unlink()
    except OSError:
        pass


def use_color(is_terminal: bool, env: Mapping[str, str]) -> bool:
    """Colour on a terminal; NO_COLOR (no-color.org) turns it off, FORCE_COLOR on even when piped."""
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return is_terminal and env.get("TERM") != "dumb"


def terminal_width(env: Mapping[str, str]) -> int:
    """COLUMNS when set; else the width of the terminal stdout or stderr is on (`| less` keeps it); else 80."""
    columns = _columns(env)
    if columns:
        return columns
    for stream in (sys.stdout, sys.stderr):
        try:
            return os.get_terminal_size(stream.fileno()).columns or 80
        except (OSError, ValueError, AttributeError):
            continue
    return 80


def _columns(env: Mapping[str, str]) -> int | None:
    value = env.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def source_root(start: Path) -> Path:
    """The repository root (the git top level: the nearest folder with .git, a folder or a
    worktree's file) that file paths in reports are relative to."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


report_app = typer.Typer(help="Work with saved reports.", no_args_is_help=True, rich_markup_mode=None)


@report_app.command(cls=ReportCommand)
def convert(
    ctx: typer.Context,
    report: Annotated[Path, typer.Argument(help="A JSON report written by --format json.")],
    formats: FormatsOption = None,
    outputs: OutputsOption = None,
    min_severity: MinSeverityOption = None,
    verbose: VerboseFlag = False,
    quiet: QuietFlag = False,
    statistics: StatisticsFlag = False,
    wide: WideFlag = False,
    pretty: PrettyFlag = False,
    repo_root: RepoRootOption = None,
) -> None:
    """Re-render a saved JSON report in other formats, without auditing again. Exit 0 when written.

    Relative file paths in the report are read from the working folder, as the audit gave them."""
    from auditor.reports.load import load_report

    requests = requested_reports(ctx, formats, outputs)
    check_destinations(requests, [("report", report)])
    threshold = parse_min_severity(min_severity)
    shape = display(verbose, quiet, statistics, wide)
    write_reports(load_report(report), requests, threshold, shape, pretty, repo_root)


@report_app.command(cls=ReportCommand)
def merge(
    ctx: typer.Context,
    reports: Annotated[list[Path], typer.Argument(help="JSON reports of parallel runs (a CI matrix's shards).")],
    formats: FormatsOption = None,
    outputs: OutputsOption = None,
    min_severity: MinSeverityOption = None,
    pretty: PrettyFlag = False,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when findings fail the gate.")] = False,
    repo_root: RepoRootOption = None,
) -> None:
    """Combine the JSON reports of parallel runs into one report; exit with the whole run's code.

    The findings are gated again at the reports' fail_on: shards run with --exit-zero still fail the merge."""
    from auditor.merge import merge_results
    from auditor.reports.load import load_report

    requests = requested_reports(ctx, formats, outputs)
    check_destinations(requests, [("report", path) for path in reports])
    threshold = parse_min_severity(min_severity)
    merged = merge_results([load_report(path) for path in reports], exit_zero)
    write_reports(merged, requests, threshold, None, pretty, repo_root)
    raise typer.Exit(merged.exit_code)
