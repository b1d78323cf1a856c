"""One self-contained HTML file to attach to a change request: no external assets, readable offline.

Summary, a chart of findings by stage and severity (inline SVG), the findings with their
fixes, waivers and coverage. The page is a sequence of sections; the checklist view slots in
after the summary (see SECTIONS).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from auditor.findings import Finding, Severity, Stage, Status
from auditor.reports import RenderOptions, checklist_view
from auditor.reports.common import (
    actual_text,
    assumed_clients_text,
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

COLOR = {
    Severity.CRITICAL: "#8b0000",
    Severity.HIGH: "#d73a49",
    Severity.MEDIUM: "#e36209",
    Severity.LOW: "#0366d6",
    Severity.INFO: "#6a737d",
}
STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:78rem;
padding:0 1rem;color:#24292e}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #e1e4e8}
.verdict{font-weight:600;padding:.4rem .8rem;border-radius:4px;display:inline-block}
.exit-0{background:#e6ffed}.exit-1{background:#ffeef0}.exit-4{background:#fff5b1}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #e1e4e8;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}code{font-size:.9em;background:#f6f8fa;padding:0 .2em;
overflow-wrap:anywhere}.sev{color:#fff;border-radius:3px;padding:0 .35em;font-size:.85em;white-space:nowrap}
.fix{margin-top:.3rem}.muted{color:#6a737d}svg text{font:12px system-ui,sans-serif}
table.findings{table-layout:fixed}table.findings col.narrow{width:6.5rem}table.findings col.rule{width:11rem}
table.findings col.value{width:13%}td{overflow-wrap:anywhere;word-break:break-word}
pre.cmd{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid #e1e4e8;
border-radius:4px;padding:.35rem .5rem;margin:.3rem 0;font-size:.85em}
td.pass{background:#e6ffed;color:#22863a}td.fail{background:#ffeef0;color:#b31d28;font-weight:600}
td.unknown{background:#fff5b1;color:#735c0f}td.not-declared{color:#6a737d}
"""
BAR_WIDTH = 520
ROW_HEIGHT = 26
LABEL_WIDTH = 90


def render_html(result: AuditResult, options: RenderOptions) -> str:
    body = "\n".join(part for part in (section(result) for section in SECTIONS) if part)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>kafka-audit report: {escape(counts_line(result))}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _badge(severity: Severity) -> str:
    return f'<span class="sev" style="background:{COLOR[severity]}">{severity.value}</span>'


def _heading(result: AuditResult) -> str:
    targets = ", ".join(f"{escape(t.kind)} <code>{escape(t.name)}</code>" for t in result.targets) or "nothing"
    shown = ""
    if result.min_severity:
        shown = f"<p>Showing findings at or above {escape(result.min_severity)}; the gate counted all.</p>"
    if result.policy:
        shown += f"<p>Policy: <code>{escape(result.policy)}</code>.</p>"
    assumed = assumed_clients_text(result)
    if assumed:
        shown += f"<p>{escape(assumed[0].upper() + assumed[1:])}.</p>"
    return (
        "<h1>kafka-audit report</h1>\n"
        f'<p class="muted">kafka-audit {escape(result.tool_version)}, started {escape(result.started_at)}, '
        f"{result.duration_ms} ms. Audited: {targets}.</p>\n"
        f'<p class="verdict exit-{result.exit_code}">Exit code {result.exit_code}: the audit '
        f"{escape(verdict(result))}.</p>\n"
        f"<p>{escape(counts_line(result))}. {escape(check_counts(result))}. Coverage: "
        f"{'complete' if result.complete else f'{len(result.gaps)} resource(s) not audited'}.</p>{shown}"
    )


def _chart(result: AuditResult) -> str:
    matrix = stage_severity_counts(result)
    most = max((sum(row.values()) for row in matrix.values()), default=0) or 1
    scale = BAR_WIDTH / most
    height = ROW_HEIGHT * len(Stage) + 30
    parts = [
        f'<svg role="img" width="{LABEL_WIDTH + BAR_WIDTH + 40}" height="{height}" '
        f'viewBox="0 0 {LABEL_WIDTH + BAR_WIDTH + 40} {height}" xmlns="http://www.w3.org/2000/svg">',
        "<title>Open findings by stage and severity</title>",
    ]
    for row, stage in enumerate(Stage):
        y = row * ROW_HEIGHT
        parts.append(f'<text x="0" y="{y + 16}">{stage.value}</text>')
        x = float(LABEL_WIDTH)
        for severity in Severity:
            count = matrix[stage][severity]
            if count:
                width = count * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW_HEIGHT - 8}" '
                    f'fill="{COLOR[severity]}"><title>{stage.value}: {count} {severity.value}</title></rect>'
                )
                x += width
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 16}">{sum(matrix[stage].values())}</text>')
    legend_y = ROW_HEIGHT * len(Stage) + 18
    for i, severity in enumerate(Severity):
        x = LABEL_WIDTH + i * 100
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{COLOR[severity]}"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y}">{severity.value}</text>')
    parts.append("</svg>")
    return "<h2>Findings by stage and severity</h2>\n" + "\n".join(parts)


def _findings(result: AuditResult) -> str:
    open_findings = [f for f in result.findings if f.status is not Status.WAIVED]
    if not open_findings:
        return "<h2>Findings</h2>\n<p>None.</p>"
    rows = "\n".join(_finding_row(f) for f in by_stage_then_severity(open_findings))
    columns = '<col class="narrow"><col class="narrow"><col class="rule"><col class="value">'
    columns += '<col class="value"><col class="value"><col>'
    return (
        f'<h2>Findings</h2>\n<table class="findings">\n<colgroup>{columns}</colgroup>\n'
        "<tr><th>severity</th><th>stage</th><th>rule</th><th>resource</th>"
        f"<th>actual (source)</th><th>expected</th><th>finding and fix</th></tr>\n{rows}\n</table>"
    )


def _finding_row(finding: Finding) -> str:
    status = '<br><span class="muted">unknown</span>' if finding.status is Status.UNKNOWN else ""
    status += '<br><span class="muted">baselined</span>' if finding.baselined else ""
    location = f"<br><code>{escape(where(finding.location))}</code>" if finding.location else ""
    return (
        f"<tr><td>{_badge(finding.severity)}{status}</td><td>{finding.stage.value}</td>"
        f"<td><code>{escape(finding.rule_id)}</code> {escape(finding.title)}</td>"
        f"<td>{escape(str(finding.resource))}{location}</td><td>{escape(actual_text(finding))}</td>"
        f"<td>{escape(finding.expected)}</td><td>{escape(finding.message)}"
        f'<div class="fix"><strong>Fix:</strong> {_fix(finding.remediation)}</div></td></tr>'
    )


def _fix(remediation: str) -> str:
    """Prose as text, each Kafka command in a code block of its own, wrapping but never cut."""
    return "".join(
        f'<pre class="cmd"><code>{escape(p.text)}</code></pre>' if p.command else escape(p.text) + " "
        for p in fix_parts(remediation)
    )


def _waived(result: AuditResult) -> str:
    waived = by_stage_then_severity(f for f in result.findings if f.status is Status.WAIVED)
    if not waived:
        return ""
    rows = "\n".join(
        f"<tr><td>{_badge(f.severity)}</td><td><code>{escape(f.rule_id)}</code> {escape(f.title)}</td>"
        f"<td>{escape(str(f.resource))}</td><td>{escape(f.waiver_reason or 'no reason given')}</td></tr>"
        for f in waived
    )
    return (
        f"<h2>Waived ({len(waived)})</h2>\n<table>\n<tr><th>severity</th><th>rule</th><th>resource</th>"
        f"<th>reason</th></tr>\n{rows}\n</table>"
    )


def _waiver_problems(result: AuditResult) -> str:
    problems = waiver_problems(result)
    if not problems:
        return ""
    items = "\n".join(f"<li>{escape(line)}</li>" for line in problems)
    return (
        f"<h2>Waivers that did not apply ({len(problems)})</h2>\n"
        f"<p>Expired waivers no longer hide their findings.</p>\n<ul>\n{items}\n</ul>"
    )


def _gaps(result: AuditResult) -> str:
    if not result.gaps:
        return ""
    items = "\n".join(f"<li>{escape(gap.resource)}: {escape(gap.reason)}</li>" for gap in result.gaps)
    return f"<h2>Not audited ({len(result.gaps)})</h2>\n<ul>\n{items}\n</ul>"


def _clusters(result: AuditResult) -> str:
    rows = "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cluster_rows(result))
    if not rows:
        return ""
    return (
        f"<h2>Clusters formed from files ({len(result.clusters)})</h2>\n<table>\n<tr><th>cluster</th>"
        f"<th>why together</th><th>brokers</th><th>topics</th></tr>\n{rows}\n</table>"
    )


def _checklist(result: AuditResult) -> str:
    checklist = result.checklist
    if checklist is None:
        return ""
    what_if = checklist_view.what_if_line(checklist)
    lead = f"<p><strong>{escape(what_if)}</strong></p>\n" if what_if else ""
    if not checklist.services:
        return lead
    head = "".join(f"<th>{escape(h)}</th>" for h in checklist_view.header(checklist))
    body = "\n".join(
        "<tr>" + "".join(_checklist_cell(c, i) for i, c in enumerate(row)) + "</tr>"
        for row in checklist_view.rows(checklist)
    )
    notes = "".join(f"<li>{escape(line)}</li>" for line in checklist_view.survival_lines(checklist))
    return f"<h2>{checklist_view.TITLE}</h2>\n{lead}<table>\n<tr>{head}</tr>\n{body}\n</table>" + (
        f"\n<ul>{notes}</ul>" if notes else ""
    )


def _passes(result: AuditResult) -> str:
    """Beyond PASSES_LISTED passes: a row per target and rule, under a line saying so."""
    if not passes_aggregated(result):
        return ""
    rows = []
    for row in pass_counts(result):
        rule = result.rule(row.rule_id)
        name = f"{row.rule_id} {rule.name}" if rule else row.rule_id
        cells = (f"{row.target.kind} {row.target.name}", name, str(row.count), ", ".join(row.kinds))
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return (
        f"<h2>Passed, per rule and target</h2>\n<p>{escape(passes_notice(result))}.</p>\n<table>\n"
        "<tr><th>target</th><th>rule</th><th>passed</th><th>kinds</th></tr>\n" + "\n".join(rows) + "\n</table>"
    )


def _checklist_cell(text: str, column: int) -> str:
    """Stage and item as text; a service's verdict coloured: pass green, fail red, unknown yellow."""
    status = text.split(" (")[0].replace(" ", "-")
    if column < 2 or status not in ("pass", "fail", "unknown", "not-declared"):
        return f"<td>{escape(text)}</td>"
    return f'<td class="{status}">{escape(text)}</td>'


# The order of the page.
SECTIONS: tuple[Section, ...] = (
    _heading,
    _checklist,
    _chart,
    _findings,
    _waived,
    _waiver_problems,
    _gaps,
    _clusters,
    _passes,
)
