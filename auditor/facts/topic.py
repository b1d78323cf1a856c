"""Facts of a topic: as the cluster reports it, or as a file declares it.

A declared topic takes what it does not set from the broker settings it inherits from (a broker
file, completed with Kafka's defaults), else from the live cluster's brokers; what no source
says stays unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

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
    parse_bool,
    parse_int,
)
from auditor.facts.clusters import declared_clusters, linked_cluster
from auditor.facts.defaults import TOPIC_FROM_BROKER, with_broker_defaults
from auditor.findings import Location, Resource
from auditor.model import ClusterSnapshot, Configs, ConfigValue, DeclaredTopic, Estate, Kind, Topic

INTERNAL_TOPICS = frozenset({"__consumer_offsets", "__transaction_state", "__share_group_state"})


def topic_subjects(estate: Estate) -> Iterator[Subject]:
    if estate.cluster is not None:
        registered = known_brokers(estate.cluster)  # once: it scans every partition of the cluster
        for topic in estate.cluster.topics:
            yield live_topic_subject(topic, estate.cluster, registered)
    for declared in estate.topics:
        yield declared_topic_subject(declared, estate)


@dataclass(frozen=True)
class TopicSeen:
    """What a topic's facts are derived from, whether the cluster reports it or a file declares it."""

    name: str
    declared: bool
    internal: bool
    partition_count: Fact
    replication_factor: Fact
    configs: Configs
    broker_count: int | None  # None: the brokers are not known
    missing: list[int] | None  # brokers holding replicas that are not registered; None: unknown


def live_topic_subject(topic: Topic, cluster: ClusterSnapshot, registered: set[int]) -> Subject:
    replicas = {r for p in topic.partitions for r in p.replicas}
    seen = TopicSeen(
        name=topic.name,
        declared=False,
        internal=topic.internal,
        partition_count=Fact(len(topic.partitions)),
        replication_factor=Fact(topic.replication_factor),
        configs=topic.configs,
        broker_count=len(registered) if registered else None,
        missing=sorted(replicas - registered) if registered else None,
    )
    return Subject(
        resource=Resource(Kind.TOPIC, topic.name),
        scope=Scope(topic=topic.name),
        facts=TOPIC_FACTS.derive(seen),
        context={"topic": topic.name, **cluster_access(cluster), "declared_file": None, "declared_in": "the cluster"},
    )


def known_brokers(cluster: ClusterSnapshot) -> set[int]:
    """Registered brokers, and those that are down: a fenced broker may be missing from
    DescribeCluster, but partitions still name it among their offline replicas."""
    offline = {r for t in cluster.topics for p in t.partitions for r in p.offline_replicas}
    return {b.id for b in cluster.brokers} | offline if cluster.brokers else set()


def declared_topic_subject(topic: DeclaredTopic, estate: Estate) -> Subject:
    inherited = inherited_configs(topic, estate)
    configs = {
        **{key: inherited[broker_key] for key, broker_key in TOPIC_FROM_BROKER.items() if broker_key in inherited},
        **topic.settings,
    }
    replication = (
        Fact(parse_int(topic.replication_factor.value), topic.replication_factor)
        if topic.replication_factor
        else config_fact(inherited, "default.replication.factor", parse_int)
    )
    broker_count = _known_broker_count(topic, estate)
    seen = TopicSeen(
        name=topic.name,
        declared=True,
        internal=topic.name in INTERNAL_TOPICS,
        partition_count=Fact(parse_int(topic.partitions.value), topic.partitions) if topic.partitions else Fact(None),
        replication_factor=replication,
        configs=configs,
        broker_count=broker_count,
        missing=None if broker_count is None else [],  # a declaration assigns no replicas
    )
    return Subject(
        resource=Resource(Kind.TOPIC, topic.name),
        scope=Scope(topic=topic.name),
        facts=TOPIC_FACTS.derive(seen),
        location=Location(topic.path),
        context={
            "topic": topic.name,
            **cluster_access(estate.cluster),
            "declared_file": topic.path,
            "declared_in": topic.path,
        },
    )


def inherited_configs(topic: DeclaredTopic, estate: Estate) -> Configs:
    """The broker settings a declared topic falls back to, or {} when no source says."""
    if topic.inherits_from is not None:
        cluster = linked_cluster(topic, declared_clusters(estate.brokers))
        for broker in cluster.brokers if cluster else ():
            if broker.name == topic.inherits_from:
                configs = with_broker_defaults(broker.settings, broker.path)
                return {key: _inherited(value, broker.name, topic.path) for key, value in configs.items()}
        return {}
    if estate.cluster is not None and estate.cluster.brokers:
        return estate.cluster.brokers[0].configs
    return {}


def _inherited(value: ConfigValue, broker: str, topic_path: str) -> ConfigValue:
    """An inherited value has no line in the topic's file; the detail says where it came from."""
    where = f"{value.path}:{value.line}" if value.line else value.path
    detail = f"inherited from {broker} ({where})" + (f": {value.detail}" if value.detail else "")
    return replace(value, path=topic_path, line=None, detail=detail)


def _known_broker_count(topic: DeclaredTopic, estate: Estate) -> int | None:
    """The brokers of the cluster the topic declares (its linked declared cluster), else of the live cluster."""
    cluster = linked_cluster(topic, declared_clusters(estate.brokers))
    if cluster is not None:
        return None if any(b.nodes is None for b in cluster.brokers) else sum(b.nodes or 0 for b in cluster.brokers)
    if estate.cluster is not None and estate.cluster.brokers:
        return len(known_brokers(estate.cluster))
    return None


Spec = FactSpec[TopicSeen, Fact]
TOPIC_FACTS = FactTable(
    Spec("name", "topic name", lambda t: Fact(t.name)),
    Spec(
        "declared", "false for a topic of the live cluster, true for one declared in a file", lambda t: Fact(t.declared)
    ),
    Spec(
        "internal",
        "true for Kafka's internal topics (__consumer_offsets, __transaction_state)",
        lambda t: Fact(t.internal),
    ),
    Spec("partition_count", "number of partitions", lambda t: t.partition_count),
    Spec(
        "replication_factor",
        "replicas per partition (the smallest if partitions differ); declared: as declared, else the "
        "inherited default.replication.factor",
        lambda t: t.replication_factor,
    ),
    Spec(
        "min_insync_replicas",
        "effective min.insync.replicas of the topic, with its source",
        lambda t: config_fact(t.configs, "min.insync.replicas", parse_int),
    ),
    Spec(
        "unclean_leader_election_enable",
        "effective unclean.leader.election.enable, with its source",
        lambda t: config_fact(t.configs, "unclean.leader.election.enable", parse_bool),
    ),
    Spec(
        "brokers_known",
        "whether the topic's brokers are known (live cluster, or brokers declared in files)",
        lambda t: Fact(t.broker_count is not None),
    ),
    Spec(
        "broker_count",
        "brokers of the cluster (registered or down) or declared brokers",
        lambda t: Fact(t.broker_count),
    ),
    Spec(
        "missing_replica_brokers",
        "number of brokers holding replicas of the topic that are not registered",
        lambda t: Fact(None if t.missing is None else len(t.missing)),
    ),
    Spec(
        "missing_brokers",
        "ids of those brokers",
        lambda t: Fact(None if t.missing is None else ", ".join(map(str, t.missing))),
    ),
)

TOPIC = SubjectKind(
    name=Kind.TOPIC,
    facts=TOPIC_FACTS,
    context={
        "topic": "topic name",
        **CLUSTER_ACCESS,
        "declared_file": "the file that declares the topic; unknown for a topic of the live cluster",
        "declared_in": "'the cluster' or the file that declares the topic",
    },
    build=topic_subjects,
)
