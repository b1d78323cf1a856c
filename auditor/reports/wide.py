"""The wide table (`--format table --wide`): a boxed table per stage, a column per field, for wide screens."""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.checklist import Checklist
from auditor.findings import Finding, Stage, Status
from auditor.reports import RenderOptions, checklist_view
from auditor.reports.common import STAGE_ORDER, check_counts, counts_line, passes_lines, waiver_problems, where
from auditor.result import AuditResult

SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}
CHECKLIST_STYLE = {"pass": "green", "fail": "bold red", "unknown": "yellow", "not declared": "dim"}


def render_wide(result: AuditResult, options: RenderOptions) -> str:
    color = options.color
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=options.width,
        highlight=False,
        soft_wrap=False,
    )
    targets = ", ".join(f"{t.kind} {t.name}" for t in result.targets)
    console.print(Text(f"kafka-audit {result.tool_version}: {targets}", style="bold"), soft_wrap=True)
    if result.checklist is not None:
        _print_checklist(console, result.checklist)
    ordered = sorted(result.findings, key=lambda f: (STAGE_ORDER[f.stage], -f.severity.rank, f.rule_id))
    for stage, group in groupby(ordered, key=lambda f: f.stage):
        console.print(_stage_table(stage, list(group)))
    for gap in result.gaps:
        console.print(Text(f"not audited: {gap.resource}: {gap.reason}", style="yellow"), soft_wrap=True)
    for line in waiver_problems(result):
        console.print(Text(line, style="yellow"), soft_wrap=True)
    for line in passes_lines(result):
        console.print(Text(line), soft_wrap=True)
    console.print(_summary(result), soft_wrap=True)
    return buffer.getvalue()


def _print_checklist(console: Console, checklist: Checklist) -> None:
    what_if = checklist_view.what_if_line(checklist)
    if what_if:
        console.print(Text(what_if, style="bold yellow"), soft_wrap=True)
    if not checklist.services:
        return
    table = Table(title=checklist_view.TITLE, title_justify="left", expand=False)
    for name in checklist_view.header(checklist):
        table.add_column(name)
    for row in checklist_view.rows(checklist):
        table.add_row(*(Text(c, style=CHECKLIST_STYLE.get(c.split(" (")[0], "")) for c in row))
    console.print(table)
    for line in checklist_view.survival_lines(checklist):
        console.print(Text(line), soft_wrap=True)


def _stage_table(stage: Stage, findings: list[Finding]) -> Table:
    table = Table(title=f"{stage.value} stage", title_justify="left", show_lines=True, expand=False)
    table.add_column("severity", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("resource", overflow="fold")
    table.add_column("actual (source)", overflow="fold")
    table.add_column("expected", overflow="fold")
    table.add_column("finding and fix", ratio=3, overflow="fold")  # commands are never cut
    for f in findings:
        severity = Text(f.severity.value, style=SEVERITY_STYLE[f.severity.value])
        if f.status is not Status.FAIL:
            severity.append(f"\n{f.status.value}")
        if f.baselined:
            severity.append("\nbaselined")
        resource = str(f.resource) if f.location is None else f"{f.resource}\n{where(f.location)}"
        if f.location is not None and f.location.snippet:
            resource += f"\n  {f.location.snippet}"
        text = f"{f.message}\nfix: {f.remediation}"
        if f.status is Status.WAIVED:
            text = f"waived: {f.waiver_reason or 'no reason given'}\n{text}"
        # Text cells: values such as "[prod]" are shown as written, never read as rich markup.
        table.add_row(severity, *(Text(cell) for cell in (f.rule_id, resource, _actual(f), f.expected, text)))
    return table


def _actual(finding: Finding) -> str:
    return finding.actual if finding.actual_source is None else f"{finding.actual}\n({finding.actual_source})"


def _summary(result: AuditResult) -> Text:
    text = Text(counts_line(result), style="bold green" if not result.findings else "bold")
    coverage = "complete" if result.complete else f"{len(result.gaps)} gap(s)"
    text.append(
        f"; {check_counts(result)}; coverage {coverage}; fail-on {result.fail_on_label}; exit code {result.exit_code}"
    )
    if result.min_severity:
        text.append(f" (showing {result.min_severity} and above; the gate counted all)")
    return text
