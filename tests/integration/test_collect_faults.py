"""Faults during collection on the real cluster: a dead bootstrap address, a broker stopped before
the audit and one stopped while it runs. The audit finishes within its timeout, reports what it
saw and the gaps, and exits with a documented code."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.audit import AuditOptions, audit_cluster
from auditor.sources.connection import ConnectionSettings
from auditor.sources.snapshot import read_snapshot
from tests.report_schema import assert_valid_report

pytestmark = pytest.mark.integration

TIMEOUT_S = 20
SLACK_S = 15  # interpreter start, rule evaluation and report on a loaded 2-core machine


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditor", *args, "--timeout", str(TIMEOUT_S)]


def finish(process: subprocess.Popen[str], started: float) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=TIMEOUT_S + SLACK_S)
    assert time.monotonic() - started < TIMEOUT_S + SLACK_S
    return process.returncode, stdout, stderr


def run(*args: str) -> tuple[int, str, str]:
    started = time.monotonic()
    return finish(subprocess.Popen(command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), started)


def test_one_dead_and_one_live_bootstrap_address(
    kafka_cluster: Any, make_topic: Callable[..., str], tmp_path: Path
) -> None:
    name = make_topic("alive")
    bootstrap = "127.0.0.1:9," + kafka_cluster.bootstrap.split(",")[0]
    code, _, stderr = run("snapshot", "--bootstrap-server", bootstrap, "--output", str(tmp_path / "s.json"))
    assert code == 0, stderr
    snapshot = read_snapshot(tmp_path / "s.json")
    assert snapshot.gaps == () and name in {t.name for t in snapshot.topics}
    code, stdout, stderr = run("audit", "--bootstrap-server", bootstrap, "--format", "json", "--fail-on", "never")
    assert code == 0, stderr
    assert json.loads(stdout)["coverage"]["complete"] is True


def test_broker_stopped_before_the_audit(
    kafka_cluster: Any, make_topic: Callable[..., str], stopped_node: Callable[..., Any], tmp_path: Path
) -> None:
    name = make_topic("before")
    bootstrap = kafka_cluster.bootstrap.split(",")[0]  # node 1 stays up
    audit = ("audit", "--bootstrap-server", bootstrap, "--format", "json", "--fail-on", "never")
    with stopped_node(3):
        time.sleep(6)  # past broker.session.timeout.ms: the controller fences node 3, ISRs shrink
        snap_code, _, snap_err = run("snapshot", "--bootstrap-server", bootstrap, "--output", str(tmp_path / "s.json"))
        code, stdout, stderr = run(*audit)
        gated, _, _ = run(*audit, "--fail-on-gaps")
    assert (snap_code, code) == (0, 0), snap_err + stderr
    snapshot = read_snapshot(tmp_path / "s.json")
    assert all(b.fenced for b in snapshot.brokers if b.id == 3)
    (partition,) = next(t for t in snapshot.topics if t.name == name).partitions
    assert 3 in partition.replicas and 3 not in partition.isr and partition.leader in (1, 2)
    report = json.loads(stdout)
    assert_valid_report(report)
    assert gated == (4 if report["coverage"]["gaps"] else 0)


def test_broker_killed_while_the_audit_runs(kafka_cluster: Any) -> None:
    """Node 3 is killed right after the cluster was described, so every later request to it fails."""
    settings = ConnectionSettings(tuple(kafka_cluster.bootstrap.split(",")[:1]), timeout_s=TIMEOUT_S)
    steps: list[str] = []

    def kill_node_3_once_described(step: str) -> None:
        steps.append(step)
        if len(steps) == 2:  # after "connecting": DescribeCluster has answered with 3 live brokers
            kafka_cluster.stop_node(3, kill=True)

    started = time.monotonic()
    try:
        result = audit_cluster(settings, AuditOptions(fail_on=None, fail_on_gaps=True), kill_node_3_once_described)
        elapsed = time.monotonic() - started
    finally:
        kafka_cluster.start_node(3)
        kafka_cluster.wait_healthy()
    assert elapsed < TIMEOUT_S + SLACK_S
    assert len(steps) == 5 and steps[-1].startswith("judging ")  # every collection step ran, then the judging
    resources = {gap.resource for gap in result.gaps}
    assert {"broker 3", "groups coordinated by broker 3"} <= resources, result.gaps
    assert all(gap.reason for gap in result.gaps)
    assert result.exit_code == 4
