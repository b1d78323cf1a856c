"""Partition subjects at scale: what a topic's or the cluster's partitions have in common is one
object, and a partition's own context is worded only when read, with the same values as before
(#15 point 3: memory flat at 300,000 partitions)."""

from __future__ import annotations

from auditor.facts import Subject, subjects
from auditor.model import Estate, Kind, Partition, Topic
from tests.builders import BOOTSTRAP, snapshot, topic


def partitions_of(*topics: Topic) -> list[Subject]:
    return subjects(Estate(cluster=snapshot(*topics)))[Kind.PARTITION]


def test_partitions_of_a_topic_share_its_facts_and_equal_counts_share_one_fact() -> None:
    first, second, other = partitions_of(topic("orders", partitions=2), topic("payments", min_isr="1"))
    for name in ("topic", "internal", "min_insync_replicas"):
        assert first.facts[name] is second.facts[name]
    assert first.scope is second.scope
    assert first.facts["replica_count"] is other.facts["replica_count"]  # 3 replicas: one Fact(3)
    assert first.facts["min_insync_replicas"].value == 2 and other.facts["min_insync_replicas"].value == 1


def test_a_partitions_context_is_its_own() -> None:
    moving = Partition("orders", 1, 2, (2, 3, 4), (2, 3), offline_replicas=(4,), adding_replicas=(4,))
    _, subject = partitions_of(topic("orders", parts=(Partition("orders", 0, 1, (1, 2, 3), (1, 2, 3)), moving)))
    assert dict(subject.context) == {
        "topic": "orders",
        "partition": "orders-1",
        "bootstrap": BOOTSTRAP,
        "command_config": None,
        "brokers": "1,2,3",
        "replicas": "2,3,4",
        "isr": "2,3",
        "offline_replicas": "4",
        "eligible_leader_replicas": "unknown",
        "adding_replicas": "4",
        "removing_replicas": "none",
    }
    assert subject.context["isr"] == "2,3" and len(subject.context) == 11


def test_partitions_of_a_topic_with_the_same_facts_share_one_mapping() -> None:
    healthy = [Partition("orders", i, 1, (1, 2, 3), (1, 2, 3)) for i in range(3)]
    shrunk = Partition("orders", 3, 1, (1, 2, 3), (1, 2))
    first, second, third, fourth, other = partitions_of(
        topic("orders", parts=(*healthy, shrunk)), topic("payments", partitions=1)
    )
    assert first.facts is second.facts is third.facts
    assert fourth.facts is not first.facts and fourth.facts["isr_count"].value == 2
    assert other.facts is not first.facts and other.facts["topic"].value == "payments"
    assert [s.resource.name for s in (first, second, third, fourth)] == [f"orders-{i}" for i in range(4)]
