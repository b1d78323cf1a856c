"""Reports for people and CI tabs stay usable at scale: JUnit shows passes per rule beyond a threshold."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.model import Estate, Target, TargetKind
from auditor.reports import OutputFormat, render
from auditor.reports.junit import PASSES_LISTED
from auditor.result import AuditResult
from tests.builders import snapshot, topic


def judged(topics: int) -> AuditResult:
    """A healthy cluster of `topics` x 3 partitions, one topic with replication factor 1."""
    cases = [topic("bad", rf=1, partitions=3), *(topic(f"t{i:04}", partitions=3) for i in range(topics))]
    target = (Target(TargetKind.CLUSTER, "127.0.0.1:9092", "kafka"),)
    return audit_estate(Estate(cluster=snapshot(*cases)), target, load_rules(), AuditOptions())


def test_beyond_the_threshold_junit_shows_passes_per_rule_and_says_so() -> None:
    result = judged(400)
    assert len(result.passes) > PASSES_LISTED
    (suite,) = ET.fromstring(render(result, OutputFormat.JUNIT)).iter("testsuite")
    cases = list(suite.iter("testcase"))
    failed = [c for c in cases if c.find("failure") is not None]
    passed = [c for c in cases if len(c) == 0]
    assert {c.get("name") for c in failed} >= {"STO001 topic bad"}
    assert {c.get("name") for c in passed} >= {"STO001: 400 passed (topic)", "STO010: 1203 passed (partition)"}
    assert len(passed) == len({p.rule_id for p in result.passes})
    assert suite.get("tests") == str(len(cases))
    note = {p.get("name"): p.get("value") for p in suite.iter("property")}["kafka-audit.passes"]
    assert note is not None and f"more than {PASSES_LISTED}" in note and "JSON report lists each" in note


def test_below_the_threshold_every_pass_is_a_testcase() -> None:
    result = judged(20)
    assert len(result.passes) <= PASSES_LISTED
    (suite,) = ET.fromstring(render(result, OutputFormat.JUNIT)).iter("testsuite")
    assert len(list(suite.iter("testcase"))) == len(result.passes) + len(result.findings)
    assert "kafka-audit.passes" not in {p.get("name") for p in suite.iter("property")}
