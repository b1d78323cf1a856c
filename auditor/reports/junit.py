"""JUnit XML for CI test tabs: a testsuite per target, a testcase per rule and resource.

Passes are testcases too, so totals mean something; beyond PASSES_LISTED passes in a run (a
cluster of thousands of partitions) a suite's passes are one testcase per rule ("STO010: 5994
passed (partition)"), and the suite's `kafka-audit.passes` property says so; the JSON report
always lists every pass. A failed check is a <failure>, a value that could not be determined an
<error>; a waived or baselined finding and a resource that could not be read are <skipped> with
the reason. Every suite records the run's exit code as a property.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from auditor.checklist import FAIL, NOT_DECLARED, UNKNOWN, Checklist
from auditor.findings import Location, Status
from auditor.model import CoverageGap, Target
from auditor.reports import RenderOptions, checklist_view
from auditor.reports.common import (
    PASSES_LISTED,
    Case,
    PassCount,
    cases,
    finding_text,
    pass_counts,
    passes_aggregated,
    repository_path,
    status_note,
    where,
)
from auditor.result import AuditResult

# XML 1.0 cannot carry most control characters, whatever the escaping.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
OUTCOMES = ("failures", "errors", "skipped")


def render_junit(result: AuditResult, options: RenderOptions) -> str:
    root = ET.Element("testsuites", name="kafka-audit")
    totals: Counter[str] = Counter()
    gaps = _gaps_by_target(result)
    aggregate = passes_aggregated(result)
    counted: dict[Target, list[PassCount]] = {}
    for row in pass_counts(result) if aggregate else ():
        counted.setdefault(row.target, []).append(row)
    for target, members in cases(result, with_passes=not aggregate):
        per_rule = counted.get(target, []) if aggregate else None
        suite = _suite(result, target, members, gaps.get(target, []), per_rule, options)
        totals.update({key: int(suite.get(key, "0")) for key in ("tests", *OUTCOMES)})
        root.append(suite)
    if result.checklist is not None and result.checklist.services:
        suite = _checklist_suite(result, result.checklist)
        totals.update({key: int(suite.get(key, "0")) for key in ("tests", *OUTCOMES)})
        root.append(suite)
    root.attrib.update({key: str(totals[key]) for key in ("tests", *OUTCOMES)})
    root.set("time", _seconds(result.duration_ms))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _checklist_suite(result: AuditResult, checklist: Checklist) -> ET.Element:
    """One testcase per (service, item); each finding is counted once, in its target's suite.

    An item that fails because of findings is skipped here with their rule ids (counting it as a
    failure again made 18 findings read as 23 failures); one that fails without a finding fails.
    """
    suite = ET.Element("testsuite", name="checklist", timestamp=result.started_at[:19])
    outcomes: Counter[str] = Counter()
    for service in checklist.services:
        for entry in service.entries:
            testcase = ET.SubElement(suite, "testcase", name=f"{entry.stage}: {entry.item}", classname=service.service)
            text = checklist_view.status_text(entry)
            if entry.status in (FAIL, UNKNOWN) and entry.rules:
                message = f"{text}: counted once, as the finding(s) of {', '.join(entry.rules)}"
                ET.SubElement(testcase, "skipped", message=_clean(message), type=entry.status)
                outcomes["skipped"] += 1
            elif entry.status in (FAIL, UNKNOWN):
                ET.SubElement(testcase, "failure", message=_clean(text), type=entry.status)
                outcomes["failures"] += 1
            elif entry.status == NOT_DECLARED:
                ET.SubElement(testcase, "skipped", message=f"{service.service} declares no {entry.item}")
                outcomes["skipped"] += 1
    suite.set("tests", str(sum(len(s.entries) for s in checklist.services)))
    for key in OUTCOMES:
        suite.set(key, str(outcomes[key]))
    suite.set("time", "0")
    return suite


def _gaps_by_target(result: AuditResult) -> dict[Target, list[CoverageGap]]:
    """Each gap with its file, or the fleet's cluster it names ("cluster NAME"), else the cluster."""
    files = {t.name for t in result.targets if t.kind.is_file}
    grouped: dict[Target, list[CoverageGap]] = {}
    for gap in result.gaps:
        location = Location(gap.resource) if gap.resource in files else None
        cluster = gap.resource.removeprefix("cluster ") if gap.resource.startswith("cluster ") else None
        grouped.setdefault(result.target_of(location, cluster), []).append(gap)
    return grouped


def _suite(
    result: AuditResult,
    target: Target,
    members: list[Case],
    gaps: list[CoverageGap],
    counted: list[PassCount] | None,
    options: RenderOptions,
) -> ET.Element:
    """A target's testcases; `counted` (beyond PASSES_LISTED) its passes per rule, else `members` hold them."""
    suite = ET.Element("testsuite", name=f"{target.kind} {target.name}", timestamp=result.started_at[:19])
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("kafka-audit.version", result.tool_version),
        ("target.kind", target.kind),
        ("target.format", target.format),
        ("fail_on", result.fail_on_label),
        ("exit_code", str(result.exit_code)),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    if result.assumed_clients:
        text = ", ".join(result.assumed_clients)
        ET.SubElement(properties, "property", name="kafka-audit.assumed-client-versions", value=text)
    outcomes: Counter[str] = Counter()
    if counted is not None:
        passes = sum(row.count for row in counted)
        text = f"{passes} passes shown per rule: the run has more than {PASSES_LISTED} (the JSON report lists each)"
        ET.SubElement(properties, "property", name="kafka-audit.passes", value=text)
    for case in members:
        outcomes[_testcase(suite, result, case, options)] += 1
    tests = len(members) + _passes_per_rule(suite, result, counted or [])
    for gap in gaps:
        testcase = ET.SubElement(suite, "testcase", name=f"not audited: {_clean(gap.resource)}", classname="coverage")
        ET.SubElement(testcase, "skipped", message=_clean(f"not audited: {gap.reason}"))
        outcomes["skipped"] += 1
    suite.set("tests", str(tests + len(gaps)))
    for key in OUTCOMES:
        suite.set(key, str(outcomes[key]))
    suite.set("time", "0")
    return suite


def _passes_per_rule(suite: ET.Element, result: AuditResult, counted: list[PassCount]) -> int:
    """One passing testcase per rule: "STO010: 5994 passed (partition)"; how many were added."""
    for row in counted:
        rule = result.rule(row.rule_id)
        stage = rule.stage.value if rule else "unknown"
        name = f"{row.rule_id}: {row.count} passed ({', '.join(row.kinds)})"
        ET.SubElement(suite, "testcase", name=_clean(name), classname=f"{stage}.{row.rule_id}")
    return len(counted)


def _testcase(suite: ET.Element, result: AuditResult, case: Case, options: RenderOptions) -> str:
    """Append the testcase; return its outcome: passed, failures, errors or skipped."""
    rule = result.rule(case.rule_id)
    stage = rule.stage.value if rule else (case.finding.stage.value if case.finding else "unknown")
    name = f"{case.rule_id} {case.resource}"
    testcase = ET.SubElement(suite, "testcase", name=_clean(name), classname=f"{stage}.{case.rule_id}")
    if case.location is not None:
        # CI test tabs link the file from the repository root; one outside it keeps its absolute path
        testcase.set("file", _clean(repository_path(case.location.path, options.source_root, options.working_dir)))
        if case.location.line is not None:
            testcase.set("line", str(case.location.line))
    finding = case.finding
    if finding is None:
        return "passed"
    text = finding_text(finding) + (f" ({where(case.location)})" if case.location else "")
    if finding.status is Status.WAIVED or finding.baselined:
        ET.SubElement(testcase, "skipped", message=_clean(status_note(finding)))
        return "skipped"
    tag, outcome = ("error", "errors") if finding.status is Status.UNKNOWN else ("failure", "failures")
    element = ET.SubElement(testcase, tag, message=_clean(f"{finding.title} ({finding.severity.value})"))
    element.set("type", f"{finding.severity.value} {finding.status.value}")
    element.text = _clean(text)
    return outcome


def _clean(text: str) -> str:
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def _seconds(duration_ms: int) -> str:
    return f"{duration_ms / 1000:.3f}"
