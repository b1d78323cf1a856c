"""Every format on fixed AuditResults: golden files, counts that agree with JSON, escaping, wiring.

Regenerate the golden files after a deliberate change with
`UPDATE_GOLDEN=1 pytest tests/unit/test_report_formats.py`, and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.findings import Location
from auditor.merge import merge_results
from auditor.reports import OutputFormat, RenderOptions, render, renderer
from auditor.reports.load import result_from_document
from auditor.result import AuditResult
from tests.report_fixtures import ASSUMED_JAVA, clean_result, full_result
from tests.report_schema import assert_valid_report

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
RESULTS = {"full": full_result, "clean": clean_result}


def test_every_format_has_a_renderer_and_a_golden_file() -> None:
    for fmt in OutputFormat:
        assert callable(renderer(fmt)), fmt
        assert all((GOLDEN / f"{name}.{fmt.extension}").is_file() for name in RESULTS), fmt


@pytest.mark.parametrize("name", sorted(RESULTS))
@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_matches_golden_file(fmt: OutputFormat, name: str) -> None:
    text = render(RESULTS[name](), fmt, RenderOptions(source_root="/repo"))
    golden = GOLDEN / f"{name}.{fmt.extension}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def _json(result: AuditResult) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render(result, OutputFormat.JSON))
    assert_valid_report(document)
    return document


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_sarif_counts_agree_with_json(name: str) -> None:
    result = RESULTS[name]()
    document = _json(result)
    (run,) = json.loads(render(result, OutputFormat.SARIF))["runs"]
    results = run["results"]
    assert len(results) == document["summary"]["findings"]
    assert sum(1 for r in results if "suppressions" in r) == document["summary"]["by_status"].get("waived", 0)
    by_severity: dict[str, int] = {}
    for entry in results:
        by_severity[entry["properties"]["severity"]] = by_severity.get(entry["properties"]["severity"], 0) + 1
    assert by_severity == document["summary"]["by_severity"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(r["id"] for r in document["rules"])
    assert run["invocations"][0]["exitCode"] == document["run"]["exit_code"]
    unapplied = [w for w in document.get("waivers", []) if w["status"] != "applied"]
    notifications = run["invocations"][0].get("toolExecutionNotifications", [])
    assert len(notifications) == len(document["coverage"]["gaps"]) + len(unapplied)
    baselined = sum(1 for f in document["findings"] if f.get("baselined"))
    assert sum(1 for r in results if r.get("baselineState") == "unchanged") == baselined


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_junit_counts_agree_with_json(name: str) -> None:
    result = RESULTS[name]()
    document = _json(result)
    root = ET.fromstring(render(result, OutputFormat.JUNIT))
    gaps = len(document["coverage"]["gaps"])
    gating = [f for f in document["findings"] if not f.get("baselined")]
    quiet = len(document["findings"]) - len(gating)  # baselined: shown as skipped, never failed
    assert int(root.get("tests", "-1")) == len(document["findings"]) + len(document["passed"]) + gaps
    assert int(root.get("failures", "-1")) == sum(f["status"] == "fail" for f in gating)
    assert int(root.get("errors", "-1")) == sum(f["status"] == "unknown" for f in gating)
    assert int(root.get("skipped", "-1")) == sum(f["status"] == "waived" for f in gating) + quiet + gaps
    suites = root.findall("testsuite")
    assert len(root.findall("testsuite/testcase")) == int(root.get("tests", "-1"))
    assert sum(int(s.get("tests", "0")) for s in suites) == int(root.get("tests", "-1"))
    assert {s.get("name") for s in suites} == {f"{t['kind']} {t['name']}" for t in document["targets"]}
    for suite in suites:
        codes = [p.get("value") for p in suite.iterfind("properties/property[@name='exit_code']")]
        assert codes == [str(document["run"]["exit_code"])]


def test_waived_findings_render_as_waived_with_the_reason_in_every_format() -> None:
    reason = "At-most-once is accepted for metrics"
    for fmt in OutputFormat:
        text = render(full_result(), fmt)
        assert reason in text, fmt
        assert "waived" in text.lower(), fmt


def test_sarif_locations() -> None:
    (run,) = json.loads(render(full_result(), OutputFormat.SARIF, RenderOptions(source_root="/repo")))["runs"]
    by_resource = {r["properties"]["resource"]: r["locations"][0] for r in run["results"]}
    producer = by_resource["client orders-producer"]["physicalLocation"]
    assert producer == {
        "artifactLocation": {"uri": "config/app.yml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12},
    }
    topic = by_resource["topic payments"]
    assert topic["logicalLocations"] == [
        {"name": "payments", "fullyQualifiedName": "topic/payments", "kind": "resource"}
    ]
    assert topic["physicalLocation"] == {"artifactLocation": {"uri": "kafka-cluster/topic/payments"}}
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"STO001": "error", "STO002": "error", "PRO001": "error", "PRO002": "warning", "CON001": "note"}


def test_sarif_and_github_make_absolute_paths_relative_to_the_repository() -> None:
    result = full_result()
    moved = tuple(
        f if f.location is None else replace(f, location=Location("/repo/x/app.yml", 3)) for f in result.findings
    )
    options = RenderOptions(source_root="/repo")
    document = json.loads(render(replace(result, findings=moved), OutputFormat.SARIF, options))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert "x/app.yml" in uris
    assert "::error file=x/app.yml,line=3," in render(replace(result, findings=moved), OutputFormat.GITHUB, options)


def _hostile() -> AuditResult:
    """A resource name and message that would break markup if rendered raw."""
    result = full_result()
    evil = replace(
        result.findings[0],
        resource=replace(result.findings[0].resource, name="<script>alert(1)</script>|__x__"),
        message="a | b `c` *d* $e$ [f](g) <b>h</b>\nsecond line",
    )
    return replace(result, findings=(evil, *result.findings[1:]))


def test_html_escapes_everything_and_is_self_contained() -> None:
    text = render(_hostile(), OutputFormat.HTML)
    assert "<script" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>h</b>" not in text
    for external in ("src=", "<link", "@import", "url(", "http://", "https://"):
        body = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert external not in body, external


def test_markdown_cells_cannot_break_the_table() -> None:
    text = render(_hostile(), OutputFormat.MARKDOWN)
    (row,) = [line for line in text.splitlines() if "alert(1)" in line]
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # five columns; the value's pipes are escaped
    assert "&lt;script&gt;" in row and "<script>" not in row
    assert "\\_\\_x\\_\\_" in row and "\\*d\\*" in row and "\\$e\\$" in row and "<br>second line" in row


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_every_report_names_the_assumed_client_versions_in_its_summary(fmt: OutputFormat) -> None:
    """Issue #13: a client judged on defaults no build file told is named in every report's summary,
    not only in its findings (which a clean client has none of); a run that told every version says
    nothing."""
    assumed = replace(clean_result(), assumed_clients=(ASSUMED_JAVA, "librdkafka >=2.0"))
    text = " ".join(render(assumed, fmt, RenderOptions()).split()).replace("&gt;", ">").replace("&lt;", "<")
    assert ASSUMED_JAVA in text and "librdkafka >=2.0" in text
    assert ASSUMED_JAVA not in render(clean_result(), fmt, RenderOptions()).replace("&gt;", ">")


def test_the_json_report_keeps_the_assumed_versions_and_a_merge_unites_them() -> None:
    first = replace(clean_result(), assumed_clients=(ASSUMED_JAVA,))
    second = replace(clean_result(), assumed_clients=("librdkafka >=2.0",))
    document = json.loads(render(first, OutputFormat.JSON, RenderOptions()))
    assert document["summary"]["assumed_client_versions"] == [ASSUMED_JAVA]
    assert result_from_document(document).assumed_clients == (ASSUMED_JAVA,)
    assert merge_results([first, second]).assumed_clients == (ASSUMED_JAVA, "librdkafka >=2.0")
