"""Reports at scale: 5,000 findings in every format, within each format's limits.

GitHub rejects a step summary over 1 MiB, so markdown collapses per rule (<details>), caps rows
and counts the rest; JUnit counts each finding once (the checklist does not count them again);
the HTML findings table is laid out to wrap inside the page.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.findings import Finding, Location, Resource, Status
from auditor.reports import OutputFormat, RenderOptions, render
from auditor.reports.load import load_report
from auditor.reports.markdown import MAX_BYTES, RULE_CAP
from auditor.result import AuditResult
from tests.report_fixtures import RULES, full_result
from tests.report_schema import assert_valid_report

ROOT = Path(__file__).resolve().parents[2]
MANY = 5_000
GITHUB_SUMMARY_LIMIT = 1024 * 1024
LONG = "very-long-topic-name-" * 10  # 210 characters: the longest names people really give


def _many() -> AuditResult:
    """5,000 findings over every fixture rule: cluster topics with long names, file findings, waived ones."""
    findings = []
    for n in range(MANY):
        rule = RULES[n % len(RULES)]
        on_file = n % 3 == 0
        findings.append(
            Finding(
                rule_id=rule.id,
                rule_name=rule.name,
                title=rule.title,
                stage=rule.stage,
                severity=rule.severity,
                status=Status.WAIVED if n % 50 == 0 else Status.UNKNOWN if n % 7 == 0 else Status.FAIL,
                resource=Resource("topic", f"{LONG}{n}"),
                config_key="min.insync.replicas",
                actual=str(n % 3),
                actual_source="topic override",
                expected=">= 2",
                message=f"Topic {LONG}{n} accepts acks=all writes with only 1 in-sync replica.",
                remediation=(
                    "kafka-configs.sh --bootstrap-server "
                    + ",".join(f"broker-{b}.kafka.example.com:9093" for b in range(12))
                    + f" --alter --entity-type topics --entity-name {LONG}{n} --add-config min.insync.replicas=2"
                ),
                location=Location(f"deploy/{LONG}/topics-{n}.yaml", n % 400 + 1) if on_file else None,
                waiver_reason="accepted (OPS-1)" if n % 50 == 0 else None,
            )
        )
    return replace(full_result(), findings=tuple(findings), passes=(), waivers=(), gaps=())


@pytest.fixture(scope="module")
def many() -> AuditResult:
    return _many()


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_5000_findings_render_in_every_format(many: AuditResult, fmt: OutputFormat) -> None:
    text = render(many, fmt, RenderOptions(source_root="/repo"))
    assert text
    if fmt is OutputFormat.JSON:
        document = json.loads(text)
        assert_valid_report(document)
        assert len(document["findings"]) == MANY
    elif fmt is OutputFormat.SARIF:
        assert len(json.loads(text)["runs"][0]["results"]) == MANY
    elif fmt is OutputFormat.JUNIT:
        root = ET.fromstring(text)
        failing = sum(1 for f in many.findings if f.status is Status.FAIL)
        assert int(root.get("failures", "-1")) == failing
        assert int(root.get("errors", "-1")) == sum(1 for f in many.findings if f.status is Status.UNKNOWN)
    elif fmt is OutputFormat.HTML:
        assert text.count('<pre class="cmd">') == sum(1 for f in many.findings if f.status is not Status.WAIVED)
    elif fmt is OutputFormat.TABLE:
        assert sum(1 for line in text.splitlines() if "  min.insync" not in line and LONG in line) >= MANY


def test_markdown_stays_under_githubs_step_summary_limit_with_the_verdict(many: AuditResult) -> None:
    text = render(many, OutputFormat.MARKDOWN)
    assert len(text.encode()) <= GITHUB_SUMMARY_LIMIT
    assert len(text.encode()) <= MAX_BYTES
    assert text.startswith(f"## kafka-audit: {MANY} findings") or text.startswith(f"## kafka-audit: {MANY} finding")
    assert "**Exit code 1**" in text
    assert text.count("<details>") == len(RULES)  # one per rule, collapsed at this size
    assert "… and " in text and "more: the JSON and SARIF reports list every finding" in text
    rows = sum(1 for line in text.splitlines() if line.startswith("| ") and "min.insync" in line)
    assert rows <= RULE_CAP * len(RULES)


def test_markdown_of_few_findings_is_open_and_complete() -> None:
    text = render(full_result(), OutputFormat.MARKDOWN)
    assert "<details open>" in text and "… and" not in text


def test_junit_counts_each_demo_finding_once() -> None:
    demo = load_report(ROOT / "sample-reports" / "audit.json")
    assert demo.checklist is not None and demo.checklist.services
    root = ET.fromstring(render(demo, OutputFormat.JUNIT))
    assert int(root.get("failures", "-1")) == sum(1 for f in demo.findings if f.status is Status.FAIL)
    checklist = next(s for s in root.findall("testsuite") if s.get("name") == "checklist")
    assert checklist.get("failures") == "0"
    skipped = [c.find("skipped") for c in checklist.findall("testcase")]
    assert any(s is not None and "counted once, as the finding(s) of" in (s.get("message") or "") for s in skipped)


def test_html_table_wraps_inside_the_page_and_fixes_are_code_blocks() -> None:
    demo = load_report(ROOT / "sample-reports" / "audit.json")
    text = render(demo, OutputFormat.HTML)
    assert "table.findings{table-layout:fixed}" in text and "overflow-wrap:anywhere" in text
    assert '<pre class="cmd"><code>kafka-configs.sh --bootstrap-server' in text
    assert '<td class="fail">fail (STO002)</td>' in text and '<td class="pass">pass</td>' in text

