"""Markdown for $GITHUB_STEP_SUMMARY and merge-request comments: a summary, then tables.

The document is a sequence of sections (functions of the result); the checklist view slots in
after the summary (see SECTIONS).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from auditor.findings import Finding, Severity, Stage, Status
from auditor.reports import RenderOptions, checklist_view
from auditor.reports.common import (
    actual_text,
    by_stage_then_severity,
    check_counts,
    cluster_rows,
    counts_line,
    pass_counts,
    passes_aggregated,
    passes_notice,
    stage_severity_counts,
    verdict,
    waiver_problems,
    where,
)
from auditor.reports.fixtext import fix_parts
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
    if result.assumed_clients:
        assumed = cell(", ".join(result.assumed_clients))
        lines.append(f"- **Client versions assumed** (no build file or --client told them): {assumed}")
    matrix = stage_severity_counts(result)
    table = ["| stage | " + " | ".join(s.value for s in Severity) + " |", "|---" * (len(Severity) + 1) + "|"]
    table += [f"| {stage.value} | " + " | ".join(str(matrix[stage][s]) for s in Severity) + " |" for stage in Stage]
    return "\n".join(lines) + "\n\n" + "\n".join(table)


# GitHub rejects a step summary over 1 MiB; the findings get what the other sections leave of
# this budget (with room for the closing lines), and each rule shows at most RULE_CAP of them.
MAX_BYTES = 1024 * 1024 - 32 * 1024
RULE_CAP = 100
OPEN_UP_TO = 50  # findings: up to this many, every rule's details start open
FINDING_HEAD = (
    "| severity | resource | actual (source) | expected | finding and fix |",
    "|---|---|---|---|---|",
)


def _findings(result: AuditResult, budget: int = MAX_BYTES) -> str:
    """Findings by rule, most severe rule first, each rule a <details> with at most RULE_CAP rows.

    When the budget runs out, the rest is counted ("and N more"): the verdict, the totals and
    every rule's count stay.
    """
    open_findings = [f for f in result.findings if f.status is not Status.WAIVED]
    if not open_findings:
        return "### Findings\n\nNone."
    by_rule: dict[str, list[Finding]] = {}
    for finding in by_stage_then_severity(open_findings):
        by_rule.setdefault(finding.rule_id, []).append(finding)
    ordered = sorted(by_rule.values(), key=lambda group: (-max(f.severity.rank for f in group), group[0].rule_id))
    state = "<details open>" if len(open_findings) <= OPEN_UP_TO else "<details>"
    parts = [f"### Findings ({len(open_findings)})"]
    used = len(parts[0])
    for group in ordered:
        block = _rule_block(group, state, budget - used)
        parts.append(block)
        used += len(block.encode()) + 2
    return "\n\n".join(parts)


def _rule_block(group: list[Finding], state: str, budget: int) -> str:
    first = group[0]
    summary = (
        f"{state}<summary><b>{first.rule_id}</b> {first.severity.value}: {cell(first.title)} "
        f"({len(group)} finding{'' if len(group) == 1 else 's'})</summary>"
    )
    rows = list(FINDING_HEAD)
    size = len(summary) + sum(len(r) for r in rows) + 200
    shown = 0
    for finding in group[:RULE_CAP]:
        row = _finding_row(finding)
        if size + len(row.encode()) + 1 > budget:
            break
        rows.append(row)
        size += len(row.encode()) + 1
        shown += 1
    rest = len(group) - shown
    more = f"\n\n… and {rest} more: the JSON and SARIF reports list every finding." if rest else ""
    table = "\n".join(rows) if shown else "Not shown: the summary would exceed GitHub's 1 MiB."
    return f"{summary}\n\n{table}{more}\n\n</details>"


def _finding_row(finding: Finding) -> str:
    severity = finding.severity.value + (" (unknown)" if finding.status is Status.UNKNOWN else "")
    severity += " (baselined)" if finding.baselined else ""
    resource = cell(str(finding.resource)) + (f"<br>{cell(where(finding.location))}" if finding.location else "")
    text = f"{cell(finding.message)}<br>**Fix:** {_fix(finding.remediation)}"
    return f"| {severity} | {resource} | {cell(actual_text(finding))} | {cell(finding.expected)} | {text} |"


def _fix(remediation: str) -> str:
    """The fix with each Kafka command as inline code, whole (a table cell cannot hold a code block)."""
    return " ".join(_code(p.text) if p.command else cell(p.text) for p in fix_parts(remediation))


def _code(text: str) -> str:
    """Inline code that shows `text` as written: a fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    body = " ".join(text.replace("|", "\\|").split())  # a pipe would end the cell, even inside code
    return f"{fence} {body} {fence}"


def _waived(result: AuditResult) -> str:
    waived = [f for f in result.findings if f.status is Status.WAIVED]
    if not waived:
        return ""
    rows = ["| severity | rule | resource | reason |", "|---|---|---|---|"]
    rows += [
        f"| {f.severity.value} | `{f.rule_id}` | {cell(str(f.resource))} "
        f"| {cell(f.waiver_reason or 'no reason given')} |"
        for f in by_stage_then_severity(waived)[:RULE_CAP]
    ]
    more = f"\n\n… and {len(waived) - RULE_CAP} more (JSON report)." if len(waived) > RULE_CAP else ""
    return f"### Waived ({len(waived)})\n\n" + "\n".join(rows) + more


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
    items = [f"- {cell(gap.resource)}: {cell(gap.reason)}" for gap in result.gaps[:RULE_CAP]]
    if len(result.gaps) > RULE_CAP:
        items.append(f"- … and {len(result.gaps) - RULE_CAP} more (JSON report)")
    return f"### Not audited ({len(result.gaps)})\n\n" + "\n".join(items)


def _clusters(result: AuditResult) -> str:
    rows = cluster_rows(result)
    if not rows:
        return ""
    table = ["| cluster | why together | brokers | topics |", "|---|---|---|---|"]
    table += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return f"### Clusters formed from files ({len(rows)})\n\n" + "\n".join(table)


def _passes(result: AuditResult) -> str:
    """Beyond PASSES_LISTED passes: a row per target and rule, under a line saying so."""
    if not passes_aggregated(result):
        return ""
    table = ["| target | rule | passed | kinds |", "|---|---|---|---|"]
    for row in pass_counts(result):
        rule = result.rule(row.rule_id)
        name = f"{row.rule_id} {rule.name}" if rule else row.rule_id
        target = f"{row.target.kind} {row.target.name}"
        table.append(f"| {cell(target)} | {cell(name)} | {row.count} | {cell(', '.join(row.kinds))} |")
    return f"### Passed, per rule and target\n\n{cell(passes_notice(result))}.\n\n" + "\n".join(table)


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
SECTIONS: tuple[Section, ...] = (
    _heading,
    _summary,
    _checklist,
    _findings,
    _waived,
    _waiver_problems,
    _gaps,
    _clusters,
    _passes,
)


def render_markdown(result: AuditResult, options: RenderOptions) -> str:
    """Every section; the findings get the bytes the others leave under GitHub's 1 MiB."""
    parts = {section: section(result) for section in SECTIONS if section is not _findings}
    others = sum(len(part.encode()) + 2 for part in parts.values())
    parts[_findings] = _findings(result, MAX_BYTES - others)
    return "\n\n".join(part for part in (parts[section] for section in SECTIONS) if part) + "\n"
