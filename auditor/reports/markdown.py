"""Markdown for $GITHUB_STEP_SUMMARY and merge-request comments: a summary, then tables.

The document is a sequence of sections (functions of the result); the checklist view slots in
after the summary (see SECTIONS).
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.findings import Finding, Severity, Stage, Status
from auditor.reports import RenderOptions, checklist_view
from auditor.reports.common import (
    actual_text,
    by_stage_then_severity,
    check_counts,
    counts_line,
    stage_severity_counts,
    verdict,
    waiver_problems,
    where,
)
from auditor.result import AuditResult

Section = Callable[[AuditResult], str]


# Characters that would start emphasis, code, links, math or a table cell: backslash-escaped.
_MARKUP = str.maketrans({c: f"\\{c}" for c in "\\`*_[]~$|#"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def cell(text: str) -> str:
    """Text shown as written inside a table cell: no markup, no HTML, no line break."""
    return "<br>".join(text.translate(_MARKUP).splitlines())


def _heading(result: AuditResult) -> str:
    return f"## kafka-audit: {counts_line(result)}\n\n**Exit code {result.exit_code}**: the audit {verdict(result)}."


def _summary(result: AuditResult) -> str:
    targets = "; ".join(f"{t.kind} {cell(t.name)}" for t in result.targets) or "nothing"
    lines = [
        f"- **Audited:** {targets}",
        f"- **Checks:** {check_counts(result)}",
        f"- **Coverage:** {'complete' if result.complete else f'{len(result.gaps)} resource(s) not audited'}",
    ]
    if result.min_severity:
        lines.append(f"- **Shown:** findings at or above {result.min_severity} (the gate counted all)")
    if result.policy:
        lines.append(f"- **Policy:** {cell(result.policy)}")
    matrix = stage_severity_counts(result)
    table = ["| stage | " + " | ".join(s.value for s in Severity) + " |", "|---" * (len(Severity) + 1) + "|"]
    table += [f"| {stage.value} | " + " | ".join(str(matrix[stage][s]) for s in Severity) + " |" for stage in Stage]
    return "\n".join(lines) + "\n\n" + "\n".join(table)


def _findings(result: AuditResult) -> str:
    open_findings = [f for f in result.findings if f.status is not Status.WAIVED]
    if not open_findings:
        return "### Findings\n\nNone."
    rows = [
        "| severity | stage | rule | resource | actual (source) | expected | finding and fix |",
        "|---|---|---|---|---|---|---|",
    ]
    rows += [_finding_row(f) for f in by_stage_then_severity(open_findings)]
    return "### Findings\n\n" + "\n".join(rows)


def _finding_row(finding: Finding) -> str:
    severity = finding.severity.value + (" (unknown)" if finding.status is Status.UNKNOWN else "")
    severity += " (baselined)" if finding.baselined else ""
    resource = cell(str(finding.resource)) + (f"<br>{cell(where(finding.location))}" if finding.location else "")
    text = f"{cell(finding.message)}<br>**Fix:** {cell(finding.remediation)}"
    return (
        f"| {severity} | {finding.stage.value} | `{finding.rule_id}` {cell(finding.title)} | {resource} "
        f"| {cell(actual_text(finding))} | {cell(finding.expected)} | {text} |"
    )


def _waived(result: AuditResult) -> str:
    waived = [f for f in result.findings if f.status is Status.WAIVED]
    if not waived:
        return ""
    rows = ["| severity | rule | resource | reason |", "|---|---|---|---|"]
    rows += [
        f"| {f.severity.value} | `{f.rule_id}` | {cell(str(f.resource))} "
        f"| {cell(f.waiver_reason or 'no reason given')} |"
        for f in by_stage_then_severity(waived)
    ]
    return f"### Waived ({len(waived)})\n\n" + "\n".join(rows)


def _waiver_problems(result: AuditResult) -> str:
    problems = waiver_problems(result)
    if not problems:
        return ""
    items = "\n".join(f"- {cell(line)}" for line in problems)
    return (
        f"### Waivers that did not apply ({len(problems)})\n\nExpired waivers no longer hide their findings.\n\n{items}"
    )


def _gaps(result: AuditResult) -> str:
    if not result.gaps:
        return ""
    items = [f"- {cell(gap.resource)}: {cell(gap.reason)}" for gap in result.gaps]
    return f"### Not audited ({len(result.gaps)})\n\n" + "\n".join(items)


def _checklist(result: AuditResult) -> str:
    checklist = result.checklist
    if checklist is None:
        return ""
    what_if = checklist_view.what_if_line(checklist)
    if not checklist.services:
        return f"**{cell(what_if or '')}**"
    head = checklist_view.header(checklist)
    table = ["| " + " | ".join(cell(h) for h in head) + " |", "|---" * len(head) + "|"]
    table += ["| " + " | ".join(cell(c) for c in row) + " |" for row in checklist_view.rows(checklist)]
    notes = [f"- {cell(line)}" for line in checklist_view.survival_lines(checklist)]
    lead = f"**{cell(what_if)}**\n\n" if what_if else ""
    return f"### {checklist_view.TITLE}\n\n{lead}" + "\n".join(table) + ("\n\n" + "\n".join(notes) if notes else "")


# The order of the document.
SECTIONS: tuple[Section, ...] = (_heading, _summary, _checklist, _findings, _waived, _waiver_problems, _gaps)


def render_markdown(result: AuditResult, options: RenderOptions) -> str:
    parts = (section(result) for section in SECTIONS)
    return "\n\n".join(part for part in parts if part) + "\n"
