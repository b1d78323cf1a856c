"""Facts of a partition of the live cluster: its replicas, ISR, leader and rack spread."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from auditor.facts.base import CLUSTER_ACCESS, Fact, Scope, Subject, SubjectKind, cluster_access, config_fact, parse_int
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


def partition_subject(
    partition: Partition, topic: Topic, racks: Mapping[int, str | None], cluster: ClusterSnapshot
) -> Subject:
    replica_racks, spread_possible = rack_facts(partition, racks)
    elr = partition.eligible_leader_replicas
    facts = {
        "topic": Fact(topic.name),
        "internal": Fact(topic.internal),
        "replica_count": Fact(len(partition.replicas) - len(partition.adding_replicas)),
        "reassigning": Fact(bool(partition.adding_replicas or partition.removing_replicas)),
        "isr_count": Fact(len(partition.isr)),
        "has_leader": Fact(partition.leader is not None),
        "offline_replica_count": Fact(len(partition.offline_replicas)),
        "min_insync_replicas": config_fact(topic.configs, "min.insync.replicas", parse_int),
        "replica_rack_count": Fact(replica_racks),
        "rack_spread_possible": Fact(spread_possible),
    }
    return Subject(
        resource=Resource(Kind.PARTITION, partition.name),
        scope=Scope(topic=topic.name),
        facts=facts,
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


PARTITION = SubjectKind(
    name=Kind.PARTITION,
    facts={
        "topic": "the partition's topic",
        "internal": "true for partitions of Kafka's internal topics",
        "replica_count": "assigned replicas; during a reassignment the replicas it keeps or started from "
        "(assigned minus adding), as kafka-topics counts them",
        "reassigning": "whether a partition reassignment is in progress",
        "isr_count": "in-sync replicas",
        "has_leader": "whether the partition has a leader (false: offline)",
        "offline_replica_count": "replicas on brokers that are down (fenced) or offline log dirs",
        "min_insync_replicas": "the topic's effective min.insync.replicas",
        "replica_rack_count": "distinct racks among the replicas' brokers (0 when no broker has a rack)",
        "rack_spread_possible": "the most racks the replicas could span: min(replicas, racks in the cluster)",
    },
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
