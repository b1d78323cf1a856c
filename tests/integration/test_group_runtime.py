"""Consumer-group rules on the real cluster: retention (or delete-records) overtaking a group."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from auditor.audit import AuditOptions, audit_cluster
from auditor.findings import Finding
from auditor.sources.connection import ConnectionSettings, parse_bootstrap

pytestmark = pytest.mark.integration


def produce(cluster: Any, topic: str, count: int) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all")
    try:
        for i in range(count):
            producer.send(topic, f"m{i}".encode(), partition=0)
        producer.flush(timeout=30)
    finally:
        producer.close()


def commit(cluster: Any, group: str, topic: str, offset: int) -> None:
    """Commit `offset` for the group on partition 0 (as a consumer that processed up to it would)."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    consumer = KafkaConsumer(bootstrap_servers=cluster.bootstrap, group_id=group, enable_auto_commit=False)
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.commit({partition: OffsetAndMetadata(offset, "", -1)})
    finally:
        consumer.close()


def group_findings(cluster: Any, group: str) -> list[Finding]:
    result = audit_cluster(ConnectionSettings(parse_bootstrap(cluster.bootstrap), timeout_s=20), AuditOptions())
    return [f for f in result.findings if f.resource.kind == "group" and f.resource.name == group]


def test_delete_records_past_the_committed_offset_is_grp001(
    kafka_cluster: Any, admin: Any, make_topic: Callable[..., str]
) -> None:
    from kafka import TopicPartition

    topic, group = make_topic("grp001"), f"billing-{uuid.uuid4().hex[:8]}"
    produce(kafka_cluster, topic, 10)
    commit(kafka_cluster, group, topic, 5)
    assert [f.rule_id for f in group_findings(kafka_cluster, group)] == []

    admin.delete_records({TopicPartition(topic, 0): 8})  # test set-up: the auditor never writes
    (finding,) = group_findings(kafka_cluster, group)
    assert (finding.rule_id, finding.status.value, finding.severity.value) == ("GRP001", "fail", "critical")
    assert f"{topic}-0 (committed 5, log start 8)" in finding.actual
    assert "3 message(s)" in finding.message


def test_group_behind_short_retention_is_grp002(kafka_cluster: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic("grp002", configs={"retention.ms": "2000"})
    group = f"slow-{uuid.uuid4().hex[:8]}"
    produce(kafka_cluster, topic, 10)
    commit(kafka_cluster, group, topic, 2)
    time.sleep(3)  # every unread message is now older than retention.ms (deletion itself comes later)
    findings = {f.rule_id: f for f in group_findings(kafka_cluster, group)}
    assert "GRP002" in findings, findings
    assert (findings["GRP002"].status.value, findings["GRP002"].severity.value) == ("fail", "high")
    assert f"{topic}-0" in findings["GRP002"].actual


def test_caught_up_group_passes(kafka_cluster: Any, make_topic: Callable[..., str]) -> None:
    topic, group = make_topic("caught-up", configs={"retention.ms": "2000"}), f"ok-{uuid.uuid4().hex[:8]}"
    produce(kafka_cluster, topic, 5)
    commit(kafka_cluster, group, topic, 5)
    time.sleep(3)
    assert group_findings(kafka_cluster, group) == []
