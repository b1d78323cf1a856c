"""--assume-down broker:2, proven on the real cluster: the prediction is what stopping broker 2 gives.

One live snapshot is judged as if broker 2 were down; then broker 2 is really stopped and the
cluster is read again. The partitions (leader, ISR, offline replicas) and every finding on the
test's topics, partitions and declared writes must be the same.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.model import ClusterSnapshot, Estate, Partition
from auditor.result import AuditResult
from auditor.sources.connection import ConnectionSettings, parse_bootstrap
from auditor.sources.live import collect
from auditor.sources.services import declare_services
from auditor.whatif import AssumeDown, assume_down
from tests.client_builders import client
from tests.service_builders import producer_service

pytestmark = pytest.mark.integration
DOWN = 2
SETTLE_TIMEOUT_S = 60.0


@pytest.fixture
def topics(make_topic: Callable[..., str]) -> dict[str, str]:
    return {
        "rf3-minisr2": make_topic("rf3mi2", partitions=3),
        "rf3-minisr3": make_topic("rf3mi3", partitions=3, configs={"min.insync.replicas": "3"}),
        "rf2-minisr1": make_topic("rf2mi1", partitions=3, replication_factor=2, configs={"min.insync.replicas": "1"}),
        "rf1": make_topic("rf1", partitions=3, replication_factor=1, configs={"min.insync.replicas": "1"}),
        "rf1-unclean": make_topic(
            "rf1u",
            partitions=3,
            replication_factor=2,
            configs={"min.insync.replicas": "1", "unclean.leader.election.enable": "true"},
        ),
    }


def read(cluster: Any) -> ClusterSnapshot:
    return collect(ConnectionSettings(parse_bootstrap(cluster.bootstrap), timeout_s=30.0))


def ours(snapshot: ClusterSnapshot, names: set[str]) -> dict[str, tuple[int | None, tuple[int, ...], tuple[int, ...]]]:
    return {
        p.name: (p.leader, tuple(sorted(p.isr)), tuple(sorted(p.offline_replicas)))
        for t in snapshot.topics
        if t.name in names
        for p in t.partitions
    }


def judged(snapshot: ClusterSnapshot, names: set[str]) -> tuple[AuditResult, set[tuple[str, str, str, str, str]]]:
    writer = client(roles=("producer",), version="3.9", acks="all")
    estate = declare_services(Estate(cluster=snapshot), (producer_service("svc", tuple(sorted(names)), writer),))
    result = audit_estate(estate, (), load_rules(), AuditOptions())
    mine = {
        (f.rule_id, f.resource.kind, f.resource.name, f.status.value, f.actual)
        for f in result.findings
        if f.resource.kind in ("topic", "partition", "write")
        and any(
            f.resource.name == n or f.resource.name.startswith(f"{n}-") or f.resource.name.endswith(f"> {n}")
            for n in names
        )
    }
    return result, mine


def settled(partition: Partition) -> bool:
    """Broker `DOWN` has left the ISR of the partition (or is its last member) and leads nothing."""
    return partition.leader != DOWN and (DOWN not in partition.isr or partition.isr == (DOWN,))


def wait_for_failover(cluster: Any, names: set[str]) -> ClusterSnapshot:
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        snapshot = read(cluster)
        parts = [p for t in snapshot.topics if t.name in names for p in t.partitions]
        if parts and all(settled(p) for p in parts):
            return snapshot
        if time.monotonic() > deadline:
            raise AssertionError(f"broker {DOWN} still in the ISR or leading after {SETTLE_TIMEOUT_S:.0f} s: {parts}")
        time.sleep(1.0)


def test_prediction_for_broker_2_down_matches_stopping_it(
    kafka_cluster: Any, topics: dict[str, str], stopped_node: Callable[[int], AbstractContextManager[Any]]
) -> None:
    names = set(topics.values())
    before = read(kafka_cluster)
    predicted = assume_down(before, AssumeDown(brokers=frozenset({DOWN})))
    predicted_result, predicted_findings = judged(predicted, names)
    with stopped_node(DOWN):
        after = wait_for_failover(kafka_cluster, names)
        actual_result, actual_findings = judged(after, names)
    assert ours(predicted, names) == ours(after, names)
    assert predicted_findings == actual_findings
    # The prediction says something: broker 2 down blocks acks=all writes to the min ISR 3 topic.
    blocked = {name for rule, kind, name, *_ in predicted_findings if rule == "E2E005"}
    assert f"svc -> {topics['rf3-minisr3']}" in blocked
    assert f"svc -> {topics['rf3-minisr2']}" not in blocked
    survival = {(w.topic): (w.without_loss, w.without_blocking) for w in _writes(predicted_result)}
    assert survival == {(w.topic): (w.without_loss, w.without_blocking) for w in _writes(actual_result)}


def _writes(result: AuditResult) -> list[Any]:
    assert result.checklist is not None
    return [w for s in result.checklist.services for w in s.writes]


def test_cli_assume_down_on_a_snapshot(kafka_cluster: Any, topics: dict[str, str], tmp_path: Path) -> None:
    """The CLI path: snapshot, then audit --assume-down broker:2 with a services manifest; the what-if is recorded."""
    snap = tmp_path / "snap.json"
    taken = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "snapshot",
            "--bootstrap-server",
            kafka_cluster.bootstrap,
            "--output",
            str(snap),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert taken.returncode == 0, taken.stderr
    (tmp_path / "p.properties").write_text("acks=all\n")
    manifest = tmp_path / "services.yaml"
    manifest.write_text(
        f"services:\n  svc:\n    producer: {{config: p.properties, topics: [{topics['rf3-minisr3']}]}}\n"
    )
    audit = [sys.executable, "-m", "auditor", "audit", "--snapshot", str(snap), "--services", str(manifest)]
    done = subprocess.run([*audit, "--assume-down", "broker:2", "--format", "json"], capture_output=True, text=True)
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert report["checklist"]["assumed_down"] == "broker:2"
    assert any(f["rule_id"] == "E2E005" for f in report["findings"])
    healthy = subprocess.run([*audit, "--format", "json"], capture_output=True, text=True)
    assert not any(f["rule_id"] == "E2E005" for f in json.loads(healthy.stdout)["findings"])
    bad = subprocess.run([*audit, "--assume-down", "broker:9"], capture_output=True, text=True)
    assert bad.returncode == 2 and "no broker 9 in the cluster" in bad.stderr
