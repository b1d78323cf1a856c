"""A partition being reassigned is reported as such (STO019), not as under-replicated (STO010).

A real, throttled reassignment on the real cluster: the new replica cannot catch up, so the
move stays in progress while the audit runs, and Kafka's own kafka-topics agrees.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from auditor.audit import AuditOptions, audit_cluster
from auditor.sources.connection import ConnectionSettings, parse_bootstrap
from tests.integration.test_store_runtime import kafka_topics

pytestmark = pytest.mark.integration

BROKER_THROTTLES = ("leader.replication.throttled.rate", "follower.replication.throttled.rate")
TOPIC_THROTTLES = ("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")


def produce(cluster: Any, topic: str, megabytes: int) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all", linger_ms=20)
    try:
        for _ in range(megabytes * 100):
            producer.send(topic, b"x" * 10_000, partition=0)
        producer.flush(timeout=60)
    finally:
        producer.close()


@pytest.fixture
def moving_partition(kafka_cluster: Any, admin: Any, make_topic: Callable[..., str]) -> Iterator[tuple[str, int]]:
    """(topic, broker being added) with a reassignment in progress, throttled to 1 KB/s."""
    from kafka import TopicPartition
    from kafka.admin import ConfigResource, ConfigResourceType

    topic = make_topic("moving", replication_factor=1, configs={key: "*" for key in TOPIC_THROTTLES})
    produce(kafka_cluster, topic, 2)
    (described,) = admin.describe_topics([topic])
    source = described["partitions"][0]["replica_nodes"][0]
    target = next(node.node_id for node in kafka_cluster.nodes if node.node_id != source)
    brokers = [str(node.node_id) for node in kafka_cluster.nodes]
    admin.alter_configs(
        [ConfigResource(ConfigResourceType.BROKER, b, {key: "1024" for key in BROKER_THROTTLES}) for b in brokers],
        raise_on_unknown=False,  # kafka-python checks keys against DescribeConfigs, which omits these
    )
    partition = TopicPartition(topic, 0)
    try:
        time.sleep(1)  # dynamic broker configs reach the brokers asynchronously
        admin.alter_partition_reassignments({partition: [source, target]})
        yield topic, target
    finally:
        admin.alter_partition_reassignments({partition: None})  # cancel
        admin.reset_configs([ConfigResource(ConfigResourceType.BROKER, b, list(BROKER_THROTTLES)) for b in brokers])


def test_reassignment_in_progress_is_not_under_replication(
    kafka_cluster: Any, moving_partition: tuple[str, int]
) -> None:
    topic, target = moving_partition
    settings = ConnectionSettings(parse_bootstrap(kafka_cluster.bootstrap), timeout_s=20)
    result = audit_cluster(settings, AuditOptions())
    on_partition = {f.rule_id: f for f in result.findings if f.resource.name == f"{topic}-0"}
    assert "STO019" in on_partition, "the reassignment is reported"
    assert f"adding {target}" in on_partition["STO019"].actual
    assert "STO010" not in on_partition
    assert kafka_topics(kafka_cluster, "--under-replicated-partitions", [topic]) == set()
