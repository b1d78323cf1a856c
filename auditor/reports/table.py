"""The terminal table: findings grouped by stage, with where each value came from and the fix."""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.findings import Finding, Stage
from auditor.result import AuditResult

SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}
STAGE_ORDER = {stage: i for i, stage in enumerate(Stage)}
PLAIN_WIDTH = 160


def render_table(result: AuditResult, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=None if color else PLAIN_WIDTH,
        highlight=False,
        soft_wrap=False,
    )
    targets = ", ".join(f"{t.kind} {t.name}" for t in result.targets)
    console.print(Text(f"kafka-audit {result.tool_version}: {targets}", style="bold"))
    ordered = sorted(result.findings, key=lambda f: (STAGE_ORDER[f.stage], -f.severity.rank, f.rule_id))
    for stage, group in groupby(ordered, key=lambda f: f.stage):
        console.print(_stage_table(stage, list(group)))
    for gap in result.gaps:
        console.print(Text(f"not audited: {gap.resource}: {gap.reason}", style="yellow"))
    console.print(_summary(result))
    return buffer.getvalue()


def _stage_table(stage: Stage, findings: list[Finding]) -> Table:
    table = Table(title=f"{stage.value} stage", title_justify="left", show_lines=True, expand=False)
    table.add_column("severity", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("resource")
    table.add_column("actual (source)")
    table.add_column("expected")
    table.add_column("finding and fix", ratio=3)
    for f in findings:
        severity = Text(f.severity.value, style=SEVERITY_STYLE[f.severity.value])
        if f.status.value != "fail":
            severity.append(f"\n{f.status.value}")
        actual = f.actual if f.actual_source is None else f"{f.actual}\n({f.actual_source})"
        resource = str(f.resource) if f.location is None else f"{f.resource}\n{_where(f)}"
        table.add_row(severity, f.rule_id, resource, actual, f.expected, f"{f.message}\nfix: {f.remediation}")
    return table


def _where(finding: Finding) -> str:
    location = finding.location
    assert location is not None
    where = location.path if location.line is None else f"{location.path}:{location.line}"
    return where if location.profile is None else f"{where} [{location.profile}]"


def _summary(result: AuditResult) -> Text:
    if not result.findings:
        text = Text("no findings", style="bold green")
    else:
        counts = ", ".join(f"{n} {sev}" for sev, n in result.by_severity().items())
        text = Text(f"{len(result.findings)} finding(s): {counts}", style="bold")
        statuses = result.by_status()
        if set(statuses) != {"fail"}:
            text.append("; " + ", ".join(f"{n} {s}" for s, n in statuses.items()))
    coverage = "complete" if result.complete else f"{len(result.gaps)} coverage gap(s)"
    text.append(f"; coverage {coverage}; fail-on {result.fail_on}; exit code {result.exit_code}")
    return text
