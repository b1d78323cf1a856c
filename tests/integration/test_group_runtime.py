"""Consumer-group rules on the real cluster: retention (or delete-records) overtaking a group."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from auditor.audit import AuditOptions, audit_cluster
from auditor.findings import Finding
from auditor.sources.connection import ConnectionSettings, load_command_config, parse_bootstrap
from auditor.sources.live import collect

pytestmark = pytest.mark.integration


def produce(cluster: Any, topic: str, count: int, age_ms: int = 0) -> None:
    """`count` messages on partition 0, their (CreateTime) timestamps `age_ms` in the past."""
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all")
    try:
        stamp = int(time.time() * 1000) - age_ms if age_ms else None
        for i in range(count):
            producer.send(topic, f"m{i}".encode(), partition=0, timestamp_ms=stamp)
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


def least_privilege(cluster: Any) -> ConnectionSettings:
    """The `auditor` user: DESCRIBE rights, no READ (it cannot fetch a message's timestamp)."""
    client = load_command_config(cluster.auditor_config_path)
    return ConnectionSettings(parse_bootstrap(cluster.sasl_bootstrap), timeout_s=20, client=client)


def group_findings(cluster: Any, group: str) -> list[Finding]:
    result = audit_cluster(least_privilege(cluster), AuditOptions())
    assert result.gaps == ()
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


HOUR_MS = 3_600_000


def test_lag_past_80_percent_of_retention_on_a_young_log_is_grp002(
    kafka_cluster: Any, make_topic: Callable[..., str]
) -> None:
    """Exact without READ: the offset at now - 80% of retention.ms is above the committed one.

    The log is younger than retention.ms (nothing is past the retention boundary), so only the
    probe at 80% can tell: 10 unread messages are 50 minutes old (83% of one hour), then 10 new.
    """
    topic, group = make_topic("grp002-probe", configs={"retention.ms": str(HOUR_MS)}), f"far-{uuid.uuid4().hex[:8]}"
    produce(kafka_cluster, topic, 10, age_ms=50 * 60_000)
    produce(kafka_cluster, topic, 10)
    commit(kafka_cluster, group, topic, 2)
    (offset,) = next(g for g in collect(least_privilege(kafka_cluster), shares=(80,)).groups if g.id == group).offsets
    assert (offset.committed, offset.retention_boundary, offset.lag_probes) == (2, 0, ((80, 10),))
    (finding,) = group_findings(kafka_cluster, group)
    assert (finding.rule_id, finding.status.value, finding.severity.value) == ("GRP002", "fail", "high")
    assert finding.actual.startswith(f"at least 80% (at most 100%) of retention.ms on {topic}-0"), finding.actual


def test_lag_under_80_percent_of_retention_on_a_young_log_passes(
    kafka_cluster: Any, make_topic: Callable[..., str]
) -> None:
    """Behind on a log younger than retention.ms: a pass, not `unknown` (which would gate).

    90% of the log is unread (an estimate from offsets could not rule out 80%), but its oldest
    unread message is 40 minutes old: 67% of retention.ms.
    """
    topic, group = make_topic("grp002-young", configs={"retention.ms": str(HOUR_MS)}), f"near-{uuid.uuid4().hex[:8]}"
    produce(kafka_cluster, topic, 10, age_ms=40 * 60_000)
    produce(kafka_cluster, topic, 10)
    commit(kafka_cluster, group, topic, 2)
    assert group_findings(kafka_cluster, group) == []
