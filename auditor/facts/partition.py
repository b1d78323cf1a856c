"""Facts of a partition of the live cluster: its replicas, ISR, leader and rack spread.

At scale (300,000 partitions) what a topic's partitions share (its name, internal flag, min ISR,
scope) and what the cluster's share (brokers, racks, access) is built once and shared; facts of
equal plain value are one object; a partition's own context is worded only when a finding reads it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from auditor.facts.base import (
    CLUSTER_ACCESS,
    Fact,
    FactSpec,
    FactTable,
    FactValue,
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
    shared = ClusterShare(cluster)
    for topic in cluster.topics:
        of_topic = TopicShare(topic, shared)
        for partition in topic.partitions:
            yield partition_subject(partition, of_topic)


class ClusterShare:
    """What every partition of the cluster shares: its brokers' racks and the access context."""

    def __init__(self, cluster: ClusterSnapshot) -> None:
        self.racks = {b.id: b.rack for b in cluster.brokers}
        self.cluster_racks = frozenset(rack for rack in self.racks.values() if rack is not None)
        self.context = {**cluster_access(cluster), "brokers": _ids(tuple(sorted(self.racks)))}
        self.silent = frozenset(b.id for b in cluster.brokers if b.silent)
        self._rack_facts: dict[tuple[int, ...], tuple[Fact, Fact]] = {}

    def rack_facts(self, replicas: tuple[int, ...]) -> tuple[Fact, Fact]:
        """The rack facts of a replica set, worked out once per distinct set."""
        found = self._rack_facts.get(replicas)
        if found is None:
            count, possible = rack_facts(replicas, self.racks, self.cluster_racks)
            found = self._rack_facts[replicas] = (shared_fact(count), shared_fact(possible))
        return found


class TopicShare:
    """What every partition of one topic shares, its facts built once."""

    def __init__(self, topic: Topic, cluster: ClusterShare) -> None:
        self.cluster = cluster
        self.name = Fact(topic.name)
        self.internal = shared_fact(topic.internal)
        self.min_insync_replicas = config_fact(topic.configs, "min.insync.replicas", parse_int)
        self.scope = Scope(topic=topic.name)
        self.context = {"topic": topic.name, **cluster.context}
        self._facts: dict[tuple[int, ...], dict[str, Fact]] = {}

    def same_facts(self, facts: dict[str, Fact]) -> dict[str, Fact]:
        """One mapping for the partitions of this topic whose facts are the same objects (a
        healthy topic's partitions all are): facts mappings are never changed once built. Keyed
        by the objects' ids, which the kept mapping holds, so no other object can take them."""
        return self._facts.setdefault(tuple(map(id, facts.values())), facts)


@dataclass(frozen=True, slots=True)
class ClientView:
    """A partition's ISR and offline replicas as a client meets them: a broker that does not
    answer (silent) serves no client, whatever the metadata says, so its replicas count as
    offline, it is no in-sync copy and, as leader, the partition takes no writes."""

    isr: tuple[int, ...]
    offline: tuple[int, ...]
    leader_answers: bool


def client_view(partition: Partition, silent: frozenset[int]) -> ClientView:
    if not silent:
        return ClientView(partition.isr, partition.offline_replicas, partition.leader is not None)
    down = partition.offline_replicas
    offline = (*down, *(r for r in partition.replicas if r in silent and r not in down))
    isr = tuple(r for r in partition.isr if r not in silent)
    return ClientView(isr, offline, partition.leader is not None and partition.leader not in silent)


@dataclass(frozen=True, slots=True)
class PartitionSeen:
    """What a partition's facts are derived from: it, what its topic shares, its rack facts and
    how clients see it (silent brokers)."""

    partition: Partition
    topic: TopicShare
    racks: tuple[Fact, Fact]
    view: ClientView


def partition_subject(partition: Partition, topic: TopicShare) -> Subject:
    silent = topic.cluster.silent
    seen = PartitionSeen(partition, topic, topic.cluster.rack_facts(partition.replicas), client_view(partition, silent))
    return Subject(
        resource=Resource(Kind.PARTITION, partition.name),
        scope=topic.scope,
        facts=topic.same_facts(PARTITION_FACTS.derive(seen)),
        context=PartitionContext(partition, topic.context, silent),
    )


class PartitionContext(Mapping[str, str | None]):
    """A partition's context (the names in PARTITION.context): the topic's and cluster's part is
    shared, the partition's own is worded on first read, which only a finding's text does."""

    __slots__ = ("_partition", "_shared", "_silent", "_whole")

    def __init__(self, partition: Partition, shared: Mapping[str, str | None], silent: frozenset[int]) -> None:
        self._partition = partition
        self._shared = shared
        self._silent = silent
        self._whole: dict[str, str | None] | None = None

    def _all(self) -> dict[str, str | None]:
        if self._whole is None:
            partition = self._partition
            elr = partition.eligible_leader_replicas
            view = client_view(partition, self._silent)
            self._whole = {
                "topic": self._shared["topic"],
                "partition": partition.name,
                **self._shared,
                "replicas": _ids(partition.replicas),
                "isr": _ids(view.isr),
                "offline_replicas": _ids(view.offline),
                "eligible_leader_replicas": "unknown" if elr is None else _ids(elr),
                "adding_replicas": _ids(partition.adding_replicas),
                "removing_replicas": _ids(partition.removing_replicas),
            }
        return self._whole

    def __getitem__(self, name: str) -> str | None:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


_SHARED: dict[tuple[type, FactValue], Fact] = {}


def shared_fact(value: FactValue) -> Fact:
    """One Fact object per plain value (a count, a flag): millions of partitions hold a few."""
    key = (type(value), value)
    fact = _SHARED.get(key)
    if fact is None:
        fact = Fact(value)
        if len(_SHARED) < 4096:  # bounded: a hostile snapshot's odd values are not all kept
            _SHARED[key] = fact
    return fact


def rack_facts(
    replicas: tuple[int, ...], racks: Mapping[int, str | None], cluster_racks: frozenset[str]
) -> tuple[int | None, int | None]:
    """(distinct racks among the replicas, the most racks the replicas could span).

    Unknown when the brokers are not known or a replica sits on an unregistered broker. A
    broker without a rack counts as a rack of its own kind ("no rack").
    """
    if not racks or any(r not in racks for r in replicas):
        return None, None
    if not cluster_racks:
        return 0, 0
    replica_racks = {racks[r] or "" for r in replicas}
    return len(replica_racks), min(len(replicas), len(cluster_racks))


def _ids(ids: tuple[int, ...]) -> str:
    return ",".join(map(str, ids)) if ids else "none"


Spec = FactSpec[PartitionSeen, Fact]
PARTITION_FACTS = FactTable(
    Spec("topic", "the partition's topic", lambda p: p.topic.name),
    Spec("internal", "true for partitions of Kafka's internal topics", lambda p: p.topic.internal),
    Spec(
        "replica_count",
        "assigned replicas; during a reassignment the replicas it keeps or started from (assigned "
        "minus adding), as kafka-topics counts them",
        lambda p: shared_fact(len(p.partition.replicas) - len(p.partition.adding_replicas)),
    ),
    Spec(
        "reassigning",
        "whether a partition reassignment is in progress",
        lambda p: shared_fact(bool(p.partition.adding_replicas or p.partition.removing_replicas)),
    ),
    Spec(
        "isr_count",
        "in-sync replicas, less those on brokers that did not answer (silent)",
        lambda p: shared_fact(len(p.view.isr)),
    ),
    Spec(
        "has_leader",
        "whether the partition has a leader that answers (false: offline, or led by a silent broker)",
        lambda p: shared_fact(p.view.leader_answers),
    ),
    Spec(
        "offline_replica_count",
        "replicas on brokers that are down (fenced) or silent, or on offline log dirs",
        lambda p: shared_fact(len(p.view.offline)),
    ),
    Spec(
        "min_insync_replicas",
        "the topic's effective min.insync.replicas",
        lambda p: p.topic.min_insync_replicas,
    ),
    Spec(
        "replica_rack_count",
        "distinct racks among the replicas' brokers (0 when no broker has a rack)",
        lambda p: p.racks[0],
    ),
    Spec(
        "rack_spread_possible",
        "the most racks the replicas could span: min(replicas, racks in the cluster)",
        lambda p: p.racks[1],
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
        "isr": "in-sync replica broker ids (less silent brokers)",
        "offline_replicas": "offline replica broker ids (silent brokers included)",
        "eligible_leader_replicas": "eligible leader replicas (KIP-966), when known",
        "adding_replicas": "replicas a reassignment is adding",
        "removing_replicas": "replicas a reassignment is removing",
    },
    build=partition_subjects,
)
