"""The live source on the real 3-node cluster: what it collects, that it only reads, and that a
snapshot of a state audits like the state itself."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.audit import AuditOptions, audit_cluster
from auditor.findings import Severity
from auditor.model import ClusterSnapshot, ConfigSource
from auditor.sources.connection import ConnectionSettings
from auditor.sources.live import collect
from tests.api_recorder import recorded_requests
from tests.report_schema import assert_valid_report

pytestmark = pytest.mark.integration

DAY_MS = 86_400_000
OLD, NEW = 4, 6  # messages older than retention.ms, and fresh ones


def kafka_audit(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def consumed_topic(kafka_cluster: Any, admin: Any, make_topic: Callable[..., str]) -> Iterator[tuple[str, str]]:
    """A topic with 1-day retention holding OLD two-day-old messages then NEW fresh ones, and a
    group whose committed offset (2) lies inside the part retention will delete next."""
    from kafka import KafkaProducer
    from kafka.structs import OffsetAndMetadata, TopicPartition

    name = make_topic("consumed", configs={"retention.ms": str(DAY_MS), "min.insync.replicas": "2"})
    producer = KafkaProducer(bootstrap_servers=kafka_cluster.bootstrap, acks="all")
    now = int(time.time() * 1000)
    for index in range(OLD + NEW):
        producer.send(name, b"m", partition=0, timestamp_ms=now - 2 * DAY_MS if index < OLD else now)
    producer.flush()
    producer.close()
    group = f"group-{name}"
    commit_when_coordinator_ready(admin, group, {TopicPartition(name, 0): OffsetAndMetadata(2, "", -1)})
    yield name, group
    admin.delete_groups([group])


def commit_when_coordinator_ready(admin: Any, group: str, offsets: dict[Any, Any]) -> None:
    """Commit offsets as setup; a fresh cluster creates __consumer_offsets on the first FindCoordinator."""
    from kafka.errors import CoordinatorNotAvailableError

    deadline = time.monotonic() + 60
    while True:
        try:
            admin.alter_group_offsets(group, offsets)
            return
        except CoordinatorNotAvailableError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def settings(cluster: Any, timeout: float = 60) -> ConnectionSettings:
    return ConnectionSettings(bootstrap_servers=tuple(cluster.bootstrap.split(",")), timeout_s=timeout)


def test_collects_brokers_quorum_features_topics_groups(kafka_cluster: Any, consumed_topic: tuple[str, str]) -> None:
    name, group_id = consumed_topic
    snapshot = collect(settings(kafka_cluster))
    assert snapshot.gaps == ()
    assert_brokers(snapshot)
    assert snapshot.quorum is not None and snapshot.quorum.leader_id in {1, 2, 3}
    assert {v.id for v in snapshot.quorum.voters} == {1, 2, 3}
    assert snapshot.features["metadata.version"] > 0 and "eligible.leader.replicas.version" in snapshot.features
    topics = {t.name: t for t in snapshot.topics}
    assert topics["__consumer_offsets"].internal and not topics[name].internal
    topic = topics[name]
    assert [len(p.replicas) for p in topic.partitions] == [3]
    assert topic.partitions[0].eligible_leader_replicas is not None  # DescribeTopicPartitions answered
    assert topic.configs["min.insync.replicas"].source is ConfigSource.TOPIC_OVERRIDE
    assert topic.configs["cleanup.policy"].source is ConfigSource.KAFKA_DEFAULT
    group = next(g for g in snapshot.groups if g.id == group_id)
    assert group.type == "classic" and group.state == "Empty" and group.members == 0
    (offset,) = group.offsets
    assert (offset.topic, offset.partition, offset.committed) == (name, 0, 2)
    assert (offset.log_start, offset.log_end, offset.retention_boundary) == (0, OLD + NEW, OLD)


def assert_brokers(snapshot: ClusterSnapshot) -> None:
    assert [(b.id, b.rack, b.fenced) for b in snapshot.brokers] == [(n, f"rack-{n}", False) for n in (1, 2, 3)]
    for broker in snapshot.brokers:
        configs = broker.configs
        assert configs["node.id"].value == str(broker.id)
        assert configs["node.id"].source is ConfigSource.STATIC_BROKER
        assert configs["log.flush.interval.messages"].source is ConfigSource.KAFKA_DEFAULT
        min_isr = configs["min.insync.replicas"]
        assert min_isr.source is ConfigSource.DYNAMIC_CLUSTER_DEFAULT and min_isr.detail
        jaas = configs["listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"]
        assert jaas.sensitive and jaas.value is None


WRITE_APIS = {
    "Produce", "CreateTopics", "DeleteTopics", "CreatePartitions", "DeleteRecords", "AlterConfigs",
    "IncrementalAlterConfigs", "OffsetCommit", "OffsetDelete", "TxnOffsetCommit", "JoinGroup", "SyncGroup",
    "Heartbeat", "LeaveGroup", "ConsumerGroupHeartbeat", "DeleteGroups", "CreateAcls", "DeleteAcls",
    "ElectLeaders", "AlterPartitionReassignments", "AlterReplicaLogDirs", "InitProducerId", "AddPartitionsToTxn",
    "AddOffsetsToTxn", "EndTxn", "WriteTxnMarkers", "AlterUserScramCredentials", "UpdateFeatures",
    "AlterClientQuotas", "Fetch",
}  # fmt: skip
READ_APIS = {
    "ApiVersions", "SaslHandshake", "SaslAuthenticate", "Metadata", "DescribeCluster", "DescribeConfigs",
    "DescribeQuorum", "DescribeTopicPartitions", "ListGroups", "DescribeGroups", "OffsetFetch", "ListOffsets",
    "ListTransactions", "DescribeTransactions", "FindCoordinator", "ListPartitionReassignments", "DescribeAcls",
}  # fmt: skip


def test_a_full_audit_only_reads(kafka_cluster: Any, consumed_topic: tuple[str, str]) -> None:
    with recorded_requests() as sent:
        result = audit_cluster(settings(kafka_cluster), AuditOptions(fail_on=Severity.CRITICAL))
    assert result.gaps == ()
    assert set(sent) <= READ_APIS, f"unexpected requests: {set(sent) - READ_APIS}"
    assert not set(sent) & WRITE_APIS
    # it did read groups, offsets and configs: the allow-list is not passed by doing nothing
    assert {"DescribeConfigs", "OffsetFetch", "ListOffsets", "DescribeGroups", "ListGroups"} <= set(sent)


def findings_of(report: dict[str, Any]) -> set[tuple[str, str, str, str, str | None]]:
    return {
        (f["rule_id"], f["resource"]["kind"], f["resource"]["name"], f["status"], f["actual"])
        for f in report["findings"]
    }


def test_snapshot_audits_like_the_live_cluster(
    kafka_cluster: Any, make_topic: Callable[..., str], consumed_topic: tuple[str, str], tmp_path: Path
) -> None:
    make_topic("rf1", replication_factor=1)
    make_topic("minisr1", configs={"min.insync.replicas": "1", "unclean.leader.election.enable": "true"})
    path = tmp_path / "cluster.json"
    taken = kafka_audit("snapshot", "--bootstrap-server", kafka_cluster.bootstrap, "--output", str(path))
    assert taken.returncode == 0, taken.stderr
    live = kafka_audit("audit", "--bootstrap-server", kafka_cluster.bootstrap, "--format", "json")
    offline = kafka_audit("audit", "--snapshot", str(path), "--format", "json")
    assert live.returncode == offline.returncode == 1, (live.stderr, offline.stderr)
    live_report, offline_report = json.loads(live.stdout), json.loads(offline.stdout)
    assert_valid_report(offline_report)
    assert findings_of(live_report) == findings_of(offline_report) != set()
    assert offline_report["targets"][0]["kind"] == "snapshot"


def test_consumer_protocol_group_offsets_read_members_a_gap(
    kafka_cluster: Any, admin: Any, make_topic: Callable[..., str]
) -> None:
    """A KIP-848 group (group.protocol=consumer, made by Kafka's console consumer): its offsets are
    read; DescribeGroups answers "not a classic group", so its member count is a named gap."""
    from kafka import KafkaProducer

    name = make_topic("kip848")
    producer = KafkaProducer(bootstrap_servers=kafka_cluster.bootstrap)
    for _ in range(3):
        producer.send(name, b"m")
    producer.flush()
    producer.close()
    group_id = f"group-{name}"
    consumed = kafka_cluster.run_kafka_tool(
        "org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server", kafka_cluster.bootstrap,
        "--topic", name, "--group", group_id, "--command-property", "group.protocol=consumer",
        "--from-beginning", "--max-messages", "3", "--timeout-ms", "30000",
    )  # fmt: skip
    assert consumed.returncode == 0, consumed.stderr
    try:
        snapshot = collect(settings(kafka_cluster))
    finally:
        admin.delete_groups([group_id])
    group = next(g for g in snapshot.groups if g.id == group_id)
    assert (group.type, group.members) == ("consumer", None)
    assert [(o.committed, o.log_end) for o in group.offsets] == [(3, 3)]
    (gap,) = [g for g in snapshot.gaps if g.resource == f"group {group_id}"]
    assert "ConsumerGroupDescribe" in gap.reason


def test_open_transaction_is_collected(kafka_cluster: Any, make_topic: Callable[..., str]) -> None:
    from kafka import KafkaProducer

    name = make_topic("txn")
    transactional_id = f"tx-{name}"
    producer = KafkaProducer(bootstrap_servers=kafka_cluster.bootstrap, transactional_id=transactional_id)
    producer.init_transactions()
    producer.begin_transaction()
    producer.send(name, b"uncommitted", partition=0)
    producer.flush()
    try:
        snapshot = collect(settings(kafka_cluster))
    finally:
        producer.abort_transaction()
        producer.close()
    (txn,) = [t for t in snapshot.transactions if t.transactional_id == transactional_id]
    assert txn.state == "Ongoing" and not txn.hanging
    assert txn.partitions == (f"{name}-0",) and txn.duration_ms is not None and txn.duration_ms >= 0
