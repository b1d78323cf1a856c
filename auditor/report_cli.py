"""Report options shared by commands (`--format F [--output PATH]` pairs, `--min-severity`) and
the `kafka-audit report` sub-app (`report convert`).

Click collects repeated --format and --output values into two lists and forgets how they
interleaved; ReportCommand keeps the raw arguments so each --output pairs with the --format
before it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from auditor.errors import InputError
from auditor.findings import Severity
from auditor.reports import OutputFormat

if TYPE_CHECKING:
    from auditor.result import AuditResult

ARGV_KEY = "kafka_audit.argv"
VALUE_OPTIONS_KEY = "kafka_audit.value_options"

FormatsOption = Annotated[
    list[OutputFormat] | None,
    typer.Option("--format", help="Report format; repeat for several reports in one run. Default: table."),
]
OutputsOption = Annotated[
    list[Path] | None,
    typer.Option("--output", help="Write the report of the --format just before it here instead of stdout."),
]
MinSeverityOption = Annotated[
    str | None,
    typer.Option(
        "--min-severity",
        help=f"Show only findings at or above: {'|'.join(s.value for s in Severity)}. Never changes the exit code.",
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


def option_order(argv: Sequence[str], value_options: set[str]) -> list[str]:
    """'format' and 'output' in the order the user gave them (values of other options skipped)."""
    order: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            break
        name = token.split("=", 1)[0]
        if name in ("--format", "--output"):
            order.append(name[2:])
        if name in value_options and "=" not in token:
            next(tokens, None)
    return order


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
    requests = [ReportRequest(fmt, path) for fmt, path in pairs] or [ReportRequest(OutputFormat.TABLE, None)]
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
    return pair_reports(order, formats or [], outputs or [])


def parse_min_severity(value: str | None) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity(value)
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise InputError(f"--min-severity must be one of {choices}, not {value!r}") from None


def write_reports(result: AuditResult, requests: list[ReportRequest], min_severity: Severity | None) -> None:
    """Render each requested report of what is shown (the exit code stays the whole run's) and write it."""
    from auditor.reports import RenderOptions, render

    shown = result.shown(min_severity)
    root = str(source_root(Path.cwd()))
    for request in requests:
        to_terminal = request.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = render(shown, request.format, RenderOptions(color=to_terminal, source_root=root))
        if request.output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            continue
        try:
            request.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {request.output}: {exc.strerror}") from exc


def source_root(start: Path) -> Path:
    """The repository root (the nearest folder with .git) that file paths in reports are relative to."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


report_app = typer.Typer(help="Work with saved reports.", no_args_is_help=True)


@report_app.command(cls=ReportCommand)
def convert(
    ctx: typer.Context,
    report: Annotated[Path, typer.Argument(help="A JSON report written by --format json.")],
    formats: FormatsOption = None,
    outputs: OutputsOption = None,
    min_severity: MinSeverityOption = None,
) -> None:
    """Re-render a saved JSON report in other formats, without auditing again. Exit 0 when written."""
    from auditor.reports.load import load_report

    requests = requested_reports(ctx, formats, outputs)
    threshold = parse_min_severity(min_severity)
    write_reports(load_report(report), requests, threshold)
