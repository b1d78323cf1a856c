"""Reports of a real audit: several formats in one run, --min-severity never gates, exit code recorded."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.report_schema import assert_valid_report
from tests.sarif_validator import validation_problems

pytestmark = pytest.mark.integration


def kafka_audit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, text=True, timeout=180, cwd=cwd, check=False
    )


def test_one_run_writes_every_report_and_min_severity_never_changes_the_gate(
    kafka_cluster: Any, make_topic: Callable[..., str], tmp_path: Path
) -> None:
    high_only = make_topic("minisr1", configs={"min.insync.replicas": "1"})  # STO002, high
    done = kafka_audit(
        "audit", "--bootstrap-server", kafka_cluster.bootstrap, "--fail-on", "high", "--min-severity", "critical",
        "--format", "json", "--output", "a.json", "--format", "sarif", "--output", "a.sarif",
        "--format", "junit", "--output", "a.xml", "--format", "table",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # the high finding gates although it is not shown
    report = json.loads((tmp_path / "a.json").read_text())
    assert_valid_report(report)
    assert report["run"] == {**report["run"], "exit_code": 1, "min_severity": "critical", "fail_on": "high"}
    assert all(f["severity"] == "critical" for f in report["findings"])
    assert high_only not in {f["resource"]["name"] for f in report["findings"]}
    sarif = json.loads((tmp_path / "a.sarif").read_text())
    assert sarif["runs"][0]["invocations"][0]["exitCode"] == 1
    assert len(sarif["runs"][0]["results"]) == len(report["findings"])
    junit = ET.parse(tmp_path / "a.xml").getroot()
    assert {p.get("value") for p in junit.iter("property") if p.get("name") == "exit_code"} == {"1"}
    assert int(junit.get("tests", "0")) == len(report["findings"]) + len(report["passed"])
    assert "exit 1" in done.stdout and "showing critical and above" in done.stdout
    assert "\x1b[" not in done.stdout
    assert validation_problems(tmp_path / "a.sarif", tmp_path).get("error", []) == []


def test_exit_zero_is_recorded_in_the_reports(
    kafka_cluster: Any, make_topic: Callable[..., str], tmp_path: Path
) -> None:
    make_topic("minisr1", configs={"min.insync.replicas": "1"})
    done = kafka_audit(
        "audit", "--bootstrap-server", kafka_cluster.bootstrap, "--exit-zero",
        "--format", "json", "--output", "a.json", "--format", "junit", "--output", "a.xml",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "a.json").read_text())["run"]["exit_code"] == 0
    assert {
        p.get("value") for p in ET.parse(tmp_path / "a.xml").getroot().iter("property") if p.get("name") == "exit_code"
    } == {"0"}
