"""The terminal report: one block per finding, location first, the fix as commands you can copy.

In the manner of ruff, trivy and cargo: the first line of every finding carries its location
(`path:line`, or `kafka-cluster/KIND/NAME` for what was read from a cluster, the virtual path
SARIF uses), rule id, severity and title, so `| grep PRD002` shows where. The lines below show the
source line a file finding points at, the value and where it came from, what was expected, and the
fix; `--verbose` adds what it means, the rule's rationale and references. Prose wraps at the
width, commands and source lines never do. Findings on one topic (the topic and its partitions) form one block:
the most severe first, the others listed under it. The summary says the verdict first.

Plain text unless `options.color`; every value from a cluster or a file passes through
`printable`, so no name can move the cursor or change colours.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections import Counter
from collections.abc import Iterable

from auditor.findings import Finding, Status
from auditor.policy import gating
from auditor.reports import Detail, RenderOptions, checklist_view
from auditor.reports.common import (
    STAGE_ORDER,
    check_counts,
    cluster_rows,
    clusters_summary,
    location_text,
    own_file_sources,
    passes_lines,
    printable,
    status_note,
    value_text,
    waiver_problems,
)
from auditor.reports.fixtext import fix_parts
from auditor.result import AuditResult

RESET = "\x1b[0m"
STYLE = {
    "critical": "\x1b[1;37;41m",
    "high": "\x1b[1;31m",
    "medium": "\x1b[33m",
    "low": "\x1b[36m",
    "info": "\x1b[2m",
    "location": "\x1b[1m",
    "command": "\x1b[36m",
    "dim": "\x1b[2m",
    "stage": "\x1b[1;4m",
    "pass": "\x1b[1;32m",
    "fail": "\x1b[1;31m",
    "warn": "\x1b[1;33m",
    "unknown": "\x1b[33m",
    "not declared": "\x1b[2m",
}
INDENT = "  "
RELATED = "  + "  # a finding on the same topic or file line as the block's first: its first line only
FIX_INDENT = INDENT + " " * len("fix: ")  # the fix's later lines and its commands line up under its text
VERDICT = {0: ("PASS", "pass"), 1: ("FAIL", "fail"), 4: ("INCOMPLETE", "warn")}
ASSUMED_CLIENT = re.compile(r"default of (.+?) \(assumed\)")
PARTITION = re.compile(r"^(.+)-\d+$")


class Painter:
    """ANSI styles when colour is on; the identity when it is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        return f"{STYLE[style]}{text}{RESET}" if self.color and text else text


def render_table(result: AuditResult, options: RenderOptions) -> str:
    """The `table` format: the compact report, or the boxed table of earlier versions with `wide`."""
    if options.wide:
        from auditor.reports.wide import render_wide

        return render_wide(result, options)
    return render_terminal(result, options)


def render_terminal(result: AuditResult, options: RenderOptions) -> str:
    paint = Painter(options.color)
    width = max(options.width, 40)
    lines = [*_title(result, width), ""]
    if options.detail is not Detail.QUIET:
        lines += _checklist(result, paint, width)
    groups = _groups(result.findings)
    for group in groups:
        lines += _group(group, result, options, paint, width)
    if options.detail is not Detail.QUIET:
        gaps = [f"not audited: {gap.resource}: {gap.reason}" for gap in result.gaps]
        for line in gaps + not_applicable_lines(result, options.detail) + waiver_problems(result):
            lines += _wrap(line, width, "", INDENT)
        lines += passes_lines(result)
    if options.statistics:
        lines += ["", *statistics_lines(result)]
    related = any(len(group) > 1 for group in groups)
    lines += ["", *_summary(result, paint, width, options.detail, related)]
    return "\n".join(lines) + "\n"


def not_applicable_lines(result: AuditResult, detail: Detail) -> list[str]:
    """One line per rule and reason that did not run (what it judges cannot exist there); a rule
    the policy declares nothing for (NotRun.by_policy) only with --verbose: it is no news."""
    by_reason: dict[tuple[str, str], list[str]] = {}
    for not_run in result.not_run:
        if not_run.by_policy and detail is not Detail.VERBOSE:
            continue
        by_reason.setdefault((not_run.rule_id, not_run.reason), []).append(not_run.resource.name)
    return [
        f"not applicable: {rule_id} on {', '.join(names)}: {reason}" for (rule_id, reason), names in by_reason.items()
    ]


def _title(result: AuditResult, width: int) -> list[str]:
    targets = ", ".join(f"{t.kind} {t.name}" + (f" (from {t.via})" if t.via else "") for t in result.targets)
    targets = targets or "nothing"
    return _wrap(f"kafka-audit {result.tool_version}: {targets}", width, "", INDENT)


def _groups(findings: Iterable[Finding]) -> list[list[Finding]]:
    """Findings by the topic (or other resource) they concern, most severe group first."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in sorted(findings, key=_order):
        groups.setdefault(_subject(finding), []).append(finding)
    return list(groups.values())


def _order(finding: Finding) -> tuple[int, int, int, str, str]:
    """Open findings before waived ones, the most severe first, then by stage and rule."""
    waived = 1 if finding.status is Status.WAIVED else 0
    return (waived, -finding.severity.rank, STAGE_ORDER[finding.stage], finding.rule_id, finding.resource.name)


def _subject(finding: Finding) -> tuple[str, str]:
    """What a finding is about, for grouping: one line of a file, or a topic with its partitions."""
    resource = finding.resource
    location = finding.location
    if location is not None:
        line = f"line {location.line}" if location.line is not None else finding.rule_id
        return (printable(location.path), line)
    if resource.kind == "partition" and (match := PARTITION.match(resource.name)):
        return ("topic", match.group(1))
    return (resource.kind, resource.name)


def _group(group: list[Finding], result: AuditResult, options: RenderOptions, paint: Painter, width: int) -> list[str]:
    quiet = options.detail is Detail.QUIET
    fail_on = result.fail_on
    if quiet:
        return [_first_line(f, options, paint, sys.maxsize)[0] for f in group if gating(f, fail_on)]  # one line each
    head, *related = group
    lines = _block(head, result, options, paint, width)
    if not related:
        return lines
    if options.detail is Detail.VERBOSE:
        for finding in related:
            lines += _block(finding, result, options, paint, width)
        return lines
    for finding in related:
        first, *rest = _first_line(finding, options, paint, width - len(RELATED))
        lines += [RELATED + first, *(" " * len(RELATED) + line for line in rest)]
    return lines


def _first_line(finding: Finding, options: RenderOptions, paint: Painter, width: int) -> list[str]:
    """`path:line  RULE severity[ status]  Title`: what grep and editors need, on the first line.

    The title moves to the next line when the whole does not fit the width.
    """
    location = printable(location_text(finding, options.source_root))
    where = finding.location
    if where is not None and where.line is None and finding.resource.name != where.path:
        location += printable(f" ({finding.resource})")  # no line, and the file may hold several: say which
    status = "" if finding.status is Status.FAIL else f" {finding.status.value}"
    status += " baselined" if finding.baselined else ""
    plain = f"{location}  {finding.rule_id} {finding.severity.value}{status}"
    head = f"{paint(location, 'location')}  {finding.rule_id} {paint(finding.severity.value, finding.severity.value)}"
    title = printable(finding.title)
    if len(plain) + 2 + len(title) <= width:
        return [f"{head}{status}  {title}"]
    return [head + status, *_wrap(title, width, INDENT)]


def _block(finding: Finding, result: AuditResult, options: RenderOptions, paint: Painter, width: int) -> list[str]:
    """First line, the source line, value and expectation, the fix; --verbose adds what it means,
    why the rule exists and where to read more."""
    lines = _first_line(finding, options, paint, width)
    note = status_note(finding)
    if note:
        lines += _wrap(note, width, INDENT)
    snippet = _snippet(finding, paint)
    lines += snippet
    if snippet and finding.actual_source in own_file_sources(finding, options.source_root):
        lines += _wrap(f"expected {finding.expected}", width, INDENT)  # the source line shows the value
    else:
        lines += _wrap(value_text(finding, options.source_root), width, INDENT)
    verbose = options.detail is Detail.VERBOSE
    if verbose:
        lines += _wrap(finding.message, width, INDENT)
    lines += _fix(finding.remediation, width, paint)
    rule = result.rule(finding.rule_id)
    if verbose and rule is not None:
        lines += _wrap(f"why: {rule.rationale}", width, INDENT)
        lines += [paint(f"{INDENT}see: {printable(ref)}", "dim") for ref in rule.references]
    return lines


def _snippet(finding: Finding, paint: Painter) -> list[str]:
    """`  4 | retries=0`: the line the finding points at, as the file has it (never wrapped)."""
    location = finding.location
    if location is None or location.line is None or not location.snippet:
        return []
    return [f"{INDENT}{paint(f'{location.line} |', 'dim')} {printable(location.snippet)}"]


def _fix(remediation: str, width: int, paint: Painter) -> list[str]:
    """'fix:' then prose wrapped at the width and each command whole on its own line, at one column."""
    lines: list[str] = []
    for part in fix_parts(remediation):
        if part.command:
            lines.append(FIX_INDENT + paint(printable(part.text), "command"))
        else:
            lines += _wrap(part.text, width, FIX_INDENT, FIX_INDENT)
    if lines:
        lines[0] = f"{INDENT}fix:{lines[0][len(INDENT) + 4 :]}"
    return lines


def _wrap(text: str, width: int, indent: str, subsequent: str | None = None) -> list[str]:
    """Prose wrapped at spaces only: a path, a key=value or a flag is never split."""
    return textwrap.wrap(
        printable(text),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _checklist(result: AuditResult, paint: Painter, width: int) -> list[str]:
    checklist = result.checklist
    if checklist is None:
        return []
    lines = []
    what_if = checklist_view.what_if_line(checklist)
    if what_if:
        lines.append(paint(printable(what_if), "warn"))
    rows = checklist_view.rows(checklist)
    if rows:
        lines.append(checklist_view.TITLE)
        lines += _columns([checklist_view.header(checklist), *rows], paint)
        for line in checklist_view.survival_lines(checklist):
            lines += _wrap(line, width, INDENT, INDENT * 2)
    return [*lines, ""]


def _columns(rows: list[list[str]], paint: Painter) -> list[str]:
    """Rows as left-aligned columns two spaces apart; status cells coloured by their verdict."""
    cells = [[printable(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = []
    for n, row in enumerate(cells):
        padded = []
        for i, text in enumerate(row):
            style = text.split(" (")[0]
            shown = paint(text, style) if n and i >= 2 and style in STYLE else text
            padded.append(shown + " " * (widths[i] - len(text)))
        lines.append((INDENT + "  ".join(padded)).rstrip())
    return lines


def statistics_lines(result: AuditResult) -> list[str]:
    """Counts per rule, most frequent first: `  5  STO011  critical  under-min-isr-partition`."""
    counts = Counter(f.rule_id for f in result.findings)
    first = {f.rule_id: f for f in reversed(result.findings)}
    lines = ["findings per rule:"]
    for rule_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        finding = first[rule_id]
        lines.append(f"{count:>6}  {rule_id}  {finding.severity.value:<8}  {printable(finding.rule_name)}")
    return lines if counts else ["findings per rule: none"]


def _summary(result: AuditResult, paint: Painter, width: int, detail: Detail, related: bool) -> list[str]:
    word, style = VERDICT.get(result.exit_code, ("ERROR", "fail"))
    indent = " " * (len(word) + 2)
    head = _wrap(verdict_line(result), width, "", indent)
    head[0] = paint(word, style) + head[0][len(word) :]
    details = [check_counts(result), "coverage " + ("complete" if result.complete else f"{len(result.gaps)} gap(s)")]
    details.append(f"policy {result.policy or 'built-in default'}")
    if related and detail is Detail.NORMAL:
        details.append("+ lines: related findings, in full with --verbose")
    assumed = _assumed_clients(result)
    if assumed:
        details.append("client versions assumed: " + ", ".join(assumed))
    lines = [*head, *_wrap("; ".join(details), width, indent)]
    clusters = clusters_summary(result)
    if clusters and detail is not Detail.QUIET:
        lines += _wrap(clusters, width, indent, indent)
        if detail is Detail.VERBOSE:
            for name, evidence, brokers, topics in cluster_rows(result):
                lines += _wrap(f"{name}: {evidence}; brokers {brokers}; topics {topics}", width, indent + INDENT)
    return lines


def verdict_line(result: AuditResult) -> str:
    """'FAIL  18 findings: 6 critical, ...; exit 1 (fail-on high)': the run in one line."""
    word, _ = VERDICT.get(result.exit_code, ("ERROR", "fail"))
    return f"{word}  {_counts(result)}; exit {result.exit_code} (fail-on {result.fail_on_label})"


def _counts(result: AuditResult) -> str:
    """'18 findings: 6 critical, ...', and what --min-severity hid: the gate counted those too."""
    if result.findings:
        by_severity = ", ".join(f"{n} {s}" for s, n in result.by_severity().items())
        statuses = result.by_status()
        extra = "" if set(statuses) == {"fail"} else "; " + ", ".join(f"{n} {s}" for s, n in statuses.items())
        text = f"{_plural(len(result.findings), 'finding')}: {by_severity}{extra}"
    else:
        text = "no findings"
    if result.min_severity:
        text += f" (showing {result.min_severity} and above; {result.hidden_findings} below it hidden, gated too)"
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _assumed_clients(result: AuditResult) -> list[str]:
    """The client versions whose defaults were assumed because no version was known: the run's,
    and those its findings name (a JSON report written before the run recorded them)."""
    found = {m.group(1) for f in result.findings for m in ASSUMED_CLIENT.finditer(f.actual_source or "")}
    return sorted(found | set(result.assumed_clients))
