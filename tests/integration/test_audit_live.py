"""The first audit, end to end, against the real 3-node cluster."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from tests.report_schema import assert_valid_report

pytestmark = pytest.mark.integration


def kafka_audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def seeded(make_topic: Callable[..., str]) -> dict[str, str]:
    """One topic per case of the issue, named by role."""
    return {
        "rf1": make_topic("rf1", replication_factor=1),
        "minisr1": make_topic("minisr1", configs={"min.insync.replicas": "1"}),
        "minisr3": make_topic("minisr3", configs={"min.insync.replicas": "3"}),
        "unclean": make_topic("unclean", configs={"unclean.leader.election.enable": "true"}),
        "clean": make_topic("clean"),
    }


def findings_on(report: dict[str, Any], topics: dict[str, str]) -> set[tuple[str, str, str]]:
    role = {name: r for r, name in topics.items()}
    return {
        (f["rule_id"], role[f["resource"]["name"]], f["severity"])
        for f in report["findings"]
        if f["resource"]["kind"] == "topic" and f["resource"]["name"] in role
    }


EXPECTED = {
    ("STO001", "rf1", "critical"),  # RF 1
    ("STO003", "rf1", "critical"),  # cluster min ISR 2 > RF 1: no acks=all write can succeed
    ("STO002", "minisr1", "high"),
    ("STO003", "minisr3", "medium"),  # min ISR 3 = RF 3
    ("STO004", "unclean", "critical"),
}


def test_audit_finds_exactly_the_seeded_problems(kafka_cluster: Any, seeded: dict[str, str]) -> None:
    done = kafka_audit("audit", "--bootstrap-server", kafka_cluster.bootstrap, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert_valid_report(report)
    assert findings_on(report, seeded) == EXPECTED
    not_applicable = report["coverage"].pop("not_applicable")
    assert report["coverage"] == {"complete": True, "gaps": []}
    assert {(n["rule_id"], n["reason"]) for n in not_applicable} == {
        ("STO022", "the policy declares no broker_defaults")
    }
    by_key = {(f["rule_id"], f["resource"]["name"]): f for f in report["findings"]}
    minisr1 = by_key["STO002", seeded["minisr1"]]
    assert (minisr1["actual"], minisr1["actual_source"]) == ("1", "topic override")
    assert f"--entity-name {seeded['minisr1']} --add-config min.insync.replicas=2" in minisr1["remediation"]
    rf1 = by_key["STO003", seeded["rf1"]]
    assert rf1["actual_source"] != "topic override"  # inherited from the broker/cluster default


@pytest.mark.parametrize(
    ("flags", "expected_code"),
    [((), 1), (("--fail-on", "critical"), 1), (("--fail-on", "never"), 0), (("--exit-zero",), 0)],
)
def test_exit_code_follows_the_gate(
    kafka_cluster: Any, make_topic: Callable[..., str], flags: tuple[str, ...], expected_code: int
) -> None:
    make_topic("rf1", replication_factor=1)  # a critical finding
    done = kafka_audit("audit", "--bootstrap-server", kafka_cluster.bootstrap, "--format", "json", *flags)
    assert done.returncode == expected_code, done.stderr
    assert json.loads(done.stdout)["run"]["exit_code"] == expected_code


def test_least_privilege_auditor_over_sasl_sees_the_same(kafka_cluster: Any, seeded: dict[str, str]) -> None:
    plain = kafka_audit("audit", "--bootstrap-server", kafka_cluster.bootstrap, "--format", "json")
    sasl = kafka_audit(
        "audit",
        "--bootstrap-server",
        kafka_cluster.sasl_bootstrap,
        "--command-config",
        str(kafka_cluster.auditor_config_path),
        "--format",
        "json",
    )
    assert sasl.returncode == 1, sasl.stderr
    plain_report, sasl_report = json.loads(plain.stdout), json.loads(sasl.stdout)
    assert findings_on(sasl_report, seeded) == EXPECTED
    assert {f["fingerprint"] for f in sasl_report["findings"]} == {f["fingerprint"] for f in plain_report["findings"]}
    assert sasl_report["coverage"]["complete"] is True


def test_table_output_names_topic_source_and_fix(kafka_cluster: Any, seeded: dict[str, str]) -> None:
    done = kafka_audit("audit", "--bootstrap-server", kafka_cluster.bootstrap)
    assert done.returncode == 1
    assert "STO004 critical" in done.stdout  # each finding's first line: location, rule, severity
    assert seeded["unclean"] in done.stdout
    assert "topic override" in done.stdout
    assert "kafka-configs.sh" in done.stdout
