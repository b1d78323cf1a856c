"""GitHub Actions workflow commands: an annotation per finding, on the file and line when there is one.

    ::error file=config/app.yml,line=12,title=PRO001 ...::message

GitHub shows at most 10 annotations of each level per step: after 10 of a level, the rest
are counted in one notice that points to the step summary (the markdown report). Notice
slots are kept for those counts so they are never the ones dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from auditor.findings import Finding, Status
from auditor.reports import RenderOptions, checklist_view
from auditor.reports.common import (
    LEVEL,
    Case,
    assumed_clients_text,
    cases,
    counts_line,
    finding_text,
    outside_repository,
    repository_path,
    waiver_problems,
)
from auditor.result import AuditResult

PER_LEVEL = 10
# SARIF levels -> workflow command names
COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """The message after '::': GitHub decodes %25, %0D and %0A."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file=, title=): ':' and ',' would end it, so they are escaped too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True)
class Annotation:
    command: str  # error | warning | notice
    message: str
    title: str
    file: str | None = None
    line: int | None = None

    def render(self) -> str:
        properties = [f"file={escape_property(self.file)}"] if self.file else []
        if self.file and self.line is not None:
            properties.append(f"line={self.line}")
        properties.append(f"title={escape_property(self.title)}")
        return f"::{self.command} {','.join(properties)}::{escape_data(self.message)}"


def render_github(result: AuditResult, options: RenderOptions) -> str:
    groups = [
        (f"{target.kind} {target.name}", [_annotation(f, options) for f in _worst_first(members)])
        for target, members in cases(result, with_passes=False)
    ]
    run_level = [Annotation("warning", f"{g.resource}: {g.reason}", "kafka-audit: not audited") for g in result.gaps]
    run_level += [Annotation("warning", line, "kafka-audit: waiver did not apply") for line in waiver_problems(result)]
    every = [a for _, group in groups for a in group] + run_level
    budget = _budget(every)
    shown: Counter[str] = Counter()
    lines: list[str] = []
    for name, group in groups:
        kept = [a.render() for a in group if _take(a, budget, shown)]
        if kept:
            lines += [f"::group::kafka-audit: {escape_data(name)}", *kept, "::endgroup::"]
    lines += [a.render() for a in run_level if _take(a, budget, shown)]
    lines += _overflow_notices(every, shown)
    if result.checklist is not None:
        what_if = checklist_view.what_if_line(result.checklist)
        lines += [f"kafka-audit: {escape_data(what_if)}"] if what_if else []
        if result.checklist.services:
            lines.append(f"kafka-audit checklist: {escape_data(checklist_view.summary_line(result.checklist))}")
        lines += [f"kafka-audit: {escape_data(line)}" for line in checklist_view.survival_lines(result.checklist)]
    assumed = assumed_clients_text(result)
    lines += [f"kafka-audit: {escape_data(assumed)}"] if assumed else []
    lines.append(f"kafka-audit: {counts_line(result)}; fail-on {result.fail_on_label}; exit code {result.exit_code}")
    return "\n".join(lines) + "\n"


def _worst_first(members: list[Case]) -> list[Finding]:
    """A target's findings, most severe first (so the 10 shown per level are the worst)."""
    return sorted((c.finding for c in members if c.finding), key=lambda f: -f.severity.rank)


def _annotation(finding: Finding, options: RenderOptions) -> Annotation:
    quiet = finding.status is Status.WAIVED or finding.baselined  # shown, does not gate
    command = "notice" if quiet else COMMAND[LEVEL[finding.severity]]
    status = "" if finding.status is Status.FAIL else f" [{finding.status.value}]"
    status += " [baselined]" if finding.baselined else ""
    title = f"{finding.rule_id} {finding.title} ({finding.severity.value}){status}"
    message = f"{finding.resource}: {finding_text(finding)}"
    location = finding.location
    if location is None:
        return Annotation(command, message, title)
    path = repository_path(location.path, options.source_root, options.working_dir)
    if outside_repository(path):  # GitHub places annotations on files of the repository only
        return Annotation(command, f"{message} (in {path}, outside the repository)", title)
    return Annotation(command, message, title, path, location.line)


def _budget(annotations: list[Annotation]) -> dict[str, int]:
    """How many of each level to show, keeping one notice slot per level that overflows."""
    totals = Counter(a.command for a in annotations)
    budget = {"error": PER_LEVEL, "warning": PER_LEVEL}
    overflowing = sum(1 for level in budget if totals[level] > PER_LEVEL)
    notices = PER_LEVEL - overflowing
    if totals["notice"] > notices:
        notices -= 1
    budget["notice"] = notices
    return budget


def _take(annotation: Annotation, budget: dict[str, int], shown: Counter[str]) -> bool:
    if shown[annotation.command] >= budget[annotation.command]:
        return False
    shown[annotation.command] += 1
    return True


def _overflow_notices(annotations: list[Annotation], shown: Counter[str]) -> list[str]:
    totals = Counter(a.command for a in annotations)
    return [
        Annotation(
            "notice",
            f"{totals[level] - shown[level]} more {level} annotation(s) not shown: GitHub shows {PER_LEVEL} per "
            "level and step. Every finding is in the step summary (kafka-audit --format markdown).",
            f"kafka-audit: {totals[level] - shown[level]} more {level}(s)",
        ).render()
        for level in ("error", "warning", "notice")
        if totals[level] > shown[level]
    ]
