"""Reports for people and CI tabs stay usable at scale: beyond PASSES_LISTED passes, table, markdown,
html, junit and sarif show passes per rule and target and say so; JSON lists every pass."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.model import Estate, Target, TargetKind
from auditor.reports import OutputFormat, RenderOptions, render
from auditor.reports.common import PASSES_LISTED, pass_counts
from auditor.result import AuditResult
from tests.builders import snapshot, topic
from tests.sarif_validator import validation_problems


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


NOTICE = f"passes shown per rule and target: more than {PASSES_LISTED} in the run (the JSON report lists each)"


@pytest.fixture(scope="module")
def large() -> AuditResult:
    return judged(400)


def test_passes_are_counted_per_target_and_rule(large: AuditResult) -> None:
    counts = {row.rule_id: (row.count, row.kinds) for row in pass_counts(large)}
    assert counts["STO010"] == (1203, ("partition",))
    assert counts["STO001"] == (400, ("topic",))
    assert sum(count for count, _ in counts.values()) == len(large.passes)
    assert {row.target for row in pass_counts(large)} == set(large.targets)


# How each format shows STO010's count on the 1,203 partitions.
STO010_ROW = {
    "table": "STO010 under-replicated-partition: 1203 passed (partition)",
    "wide": "STO010 under-replicated-partition: 1203 passed (partition)",
    "markdown": "| STO010 under-replicated-partition | 1203 | partition |",
    "html": "<td>STO010 under-replicated-partition</td><td>1203</td><td>partition</td>",
}


@pytest.mark.parametrize("view", list(STO010_ROW))
def test_beyond_the_threshold_reports_for_people_count_passes_per_rule_and_say_so(
    large: AuditResult, view: str
) -> None:
    fmt = OutputFormat.TABLE if view == "wide" else OutputFormat(view)
    text = render(large, fmt, RenderOptions(wide=view == "wide", width=400))
    assert f"{len(large.passes)} {NOTICE}" in text
    assert STO010_ROW[view] in text
    assert all(f"{row.rule_id} " in text for row in pass_counts(large))
    assert "t0007" not in text  # no pass listed by resource: only the findings (topic "bad") name one


def test_beyond_the_threshold_sarif_counts_passes_per_rule_in_the_run(large: AuditResult) -> None:
    (run,) = json.loads(render(large, OutputFormat.SARIF))["runs"]
    passes = run["properties"]["passes"]
    assert passes["notice"] == f"{len(large.passes)} {NOTICE}"
    per_rule = {entry["ruleId"]: entry for entry in passes["perRule"]}
    assert per_rule["STO010"] == {
        "target": "cluster 127.0.0.1:9092",
        "ruleId": "STO010",
        "kinds": ["partition"],
        "count": 1203,
    }
    assert sum(entry["count"] for entry in per_rule.values()) == len(large.passes)
    assert all(result["kind"] == "fail" for result in run["results"])


def test_json_still_lists_every_pass(large: AuditResult) -> None:
    document = json.loads(render(large, OutputFormat.JSON))
    assert len(document["passed"]) == len(large.passes)


@pytest.mark.parametrize("fmt", [OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.HTML, OutputFormat.SARIF])
def test_below_the_threshold_no_report_aggregates(fmt: OutputFormat) -> None:
    result = judged(20)
    text = render(result, fmt)
    assert "passes shown per rule" not in text and "Passed, per rule and target" not in text


def test_the_aggregated_sarif_passes_microsoft_validator(large: AuditResult, tmp_path: Path) -> None:
    sarif = tmp_path / "audit.sarif"
    sarif.write_text(render(large, OutputFormat.SARIF, RenderOptions(source_root="/repo")), encoding="utf-8")
    problems = validation_problems(sarif, tmp_path)
    assert problems.get("error", []) == []
