"""Facts of a partition of the live cluster: its replicas, ISR, leader and rack spread."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from auditor.facts.base import (
    CLUSTER_ACCESS,
    Fact,
    FactSpec,
    FactTable,
    Scope,
    Subject,
    SubjectKind,
    cluster_access,
    config_fact,
    parse_int,
)
from auditor.findings import Resource
from auditor.model import ClusterSnapshot, Estate, Kind, Partition, Topic


def partition_subjects(estate: Estate) -> Iterator[Subject]:
    cluster = estate.cluster
    if cluster is None:
        return
    racks = {b.id: b.rack for b in cluster.brokers}
    for topic in cluster.topics:
        for partition in topic.partitions:
            yield partition_subject(partition, topic, racks, cluster)


@dataclass(frozen=True)
class PartitionSeen:
    """What a partition's facts are derived from: it, its topic, and its rack spread (computed once)."""

    partition: Partition
    topic: Topic
    racks: tuple[int | None, int | None]


def partition_subject(
    partition: Partition, topic: Topic, racks: Mapping[int, str | None], cluster: ClusterSnapshot
) -> Subject:
    elr = partition.eligible_leader_replicas
    return Subject(
        resource=Resource(Kind.PARTITION, partition.name),
        scope=Scope(topic=topic.name),
        facts=PARTITION_FACTS.derive(PartitionSeen(partition, topic, rack_facts(partition, racks))),
        context={
            "topic": topic.name,
            "partition": partition.name,
            **cluster_access(cluster),
            "brokers": _ids(tuple(sorted(b.id for b in cluster.brokers))),
            "replicas": _ids(partition.replicas),
            "isr": _ids(partition.isr),
            "offline_replicas": _ids(partition.offline_replicas),
            "eligible_leader_replicas": "unknown" if elr is None else _ids(elr),
            "adding_replicas": _ids(partition.adding_replicas),
            "removing_replicas": _ids(partition.removing_replicas),
        },
    )


def rack_facts(partition: Partition, racks: Mapping[int, str | None]) -> tuple[int | None, int | None]:
    """(distinct racks among the replicas, the most racks the replicas could span).

    Unknown when the brokers are not known or a replica sits on an unregistered broker. A
    broker without a rack counts as a rack of its own kind ("no rack").
    """
    if not racks or any(r not in racks for r in partition.replicas):
        return None, None
    cluster_racks = {rack for rack in racks.values() if rack is not None}
    if not cluster_racks:
        return 0, 0
    replica_racks = {racks[r] or "" for r in partition.replicas}
    return len(replica_racks), min(len(partition.replicas), len(cluster_racks))


def _ids(ids: tuple[int, ...]) -> str:
    return ",".join(map(str, ids)) if ids else "none"


Spec = FactSpec[PartitionSeen, Fact]
PARTITION_FACTS = FactTable(
    Spec("topic", "the partition's topic", lambda p: Fact(p.topic.name)),
    Spec("internal", "true for partitions of Kafka's internal topics", lambda p: Fact(p.topic.internal)),
    Spec(
        "replica_count",
        "assigned replicas; during a reassignment the replicas it keeps or started from (assigned "
        "minus adding), as kafka-topics counts them",
        lambda p: Fact(len(p.partition.replicas) - len(p.partition.adding_replicas)),
    ),
    Spec(
        "reassigning",
        "whether a partition reassignment is in progress",
        lambda p: Fact(bool(p.partition.adding_replicas or p.partition.removing_replicas)),
    ),
    Spec("isr_count", "in-sync replicas", lambda p: Fact(len(p.partition.isr))),
    Spec(
        "has_leader",
        "whether the partition has a leader (false: offline)",
        lambda p: Fact(p.partition.leader is not None),
    ),
    Spec(
        "offline_replica_count",
        "replicas on brokers that are down (fenced) or offline log dirs",
        lambda p: Fact(len(p.partition.offline_replicas)),
    ),
    Spec(
        "min_insync_replicas",
        "the topic's effective min.insync.replicas",
        lambda p: config_fact(p.topic.configs, "min.insync.replicas", parse_int),
    ),
    Spec(
        "replica_rack_count",
        "distinct racks among the replicas' brokers (0 when no broker has a rack)",
        lambda p: Fact(p.racks[0]),
    ),
    Spec(
        "rack_spread_possible",
        "the most racks the replicas could span: min(replicas, racks in the cluster)",
        lambda p: Fact(p.racks[1]),
    ),
)

PARTITION = SubjectKind(
    name=Kind.PARTITION,
    facts=PARTITION_FACTS,
    context={
        "topic": "topic name",
        "partition": "partition name, e.g. orders-3",
        **CLUSTER_ACCESS,
        "brokers": "ids of the cluster's registered brokers",
        "replicas": "replica broker ids",
        "isr": "in-sync replica broker ids",
        "offline_replicas": "offline replica broker ids",
        "eligible_leader_replicas": "eligible leader replicas (KIP-966), when known",
        "adding_replicas": "replicas a reassignment is adding",
        "removing_replicas": "replicas a reassignment is removing",
    },
    build=partition_subjects,
)
