"""Facts of a topic: as the cluster reports it, or as a file declares it.

A declared topic takes what it does not set from the broker settings it inherits from (a broker
file, completed with Kafka's defaults), else from the live cluster's brokers; what no source
says stays unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePath

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
from auditor.facts.defaults import INHERITED_FACTS, TOPIC_FROM_BROKER, with_broker_defaults
from auditor.facts.spelling import SettingNames, declared_names
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
    # facts left to brokers not in the audit (judged once for all their topics): why, by fact
    left_to_absent: Mapping[str, str] = field(default_factory=dict)

    def inherited(self, fact: str, value: Fact) -> Fact:
        """A fact the topic takes from its brokers: not applicable here when those brokers are
        not in the audit (kind broker-default judges it once), else its value."""
        reason = self.left_to_absent.get(fact)
        return value if reason is None else Fact(None, not_applicable=reason)


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
        context={
            "topic": topic.name,
            **cluster_access(cluster),
            "declared_file": None,
            "declared_format": None,
            "setting_names": SettingNames(),
            "declared_in": "the cluster",
        },
    )


def known_brokers(cluster: ClusterSnapshot) -> set[int]:
    """Registered brokers, and those that are down: a fenced broker may be missing from
    DescribeCluster, but partitions still name it among their offline replicas."""
    offline = {r for t in cluster.topics for p in t.partitions for r in p.offline_replicas}
    return {b.id for b in cluster.brokers} | offline if cluster.brokers else set()


def declared_topic_subject(topic: DeclaredTopic, estate: Estate) -> Subject:
    inherited = _not_read(topic) if topic.settings_unknown else inherited_configs(topic, estate)
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
        left_to_absent=left_to_absent_brokers(topic, estate),
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
            "declared_format": topic.format,
            "setting_names": declared_names(topic.format),
            "declared_in": topic.path,
        },
    )


def absent_brokers(topic: DeclaredTopic, estate: Estate) -> str | None:
    """The brokers a declared topic inherits from when none of them is in the audit (the scope its
    inherited settings are judged once for, kind broker-default), else None.

    The scope is the broker resource the topic names (`Kafka/my-cluster`, a compose service), else
    the folder of its file: topics of one Terraform module or topicctl folder share brokers."""
    cluster = linked_cluster(topic, declared_clusters(estate.brokers, estate.groupings))
    if topic.inherits_from is not None:
        found = cluster is not None and any(broker.name == topic.inherits_from for broker in cluster.brokers)
        return None if found else topic.inherits_from
    if cluster is not None:  # linked by its cluster file, provider or the policy: its brokers are here
        return None
    if estate.cluster is not None and estate.cluster.brokers:
        return None
    return f"{PurePath(topic.path).parent.as_posix()}/"


def left_to_absent_brokers(topic: DeclaredTopic, estate: Estate) -> dict[str, str]:
    """The facts a topic leaves to brokers not in the audit and the policy does not declare: judged
    once for all such topics (kind broker-default), not once per topic."""
    scope = absent_brokers(topic, estate)
    if scope is None:
        return {}
    return {
        fact: f"{broker_key} is left to the brokers of {scope}, which are not in this audit: "
        f"judged once for all their topics (broker-default {scope})"
        for fact, broker_key in inherited_keys(topic).items()
        if broker_key not in estate.broker_defaults
    }


def inherited_keys(topic: DeclaredTopic) -> dict[str, str]:
    """The topic facts a declaration leaves to its brokers (it does not set them), to their broker keys."""
    settings = {topic_key for topic_key in topic.settings}
    unread = topic.settings_unknown is not None  # a config map not read: unknown for this topic, not left
    leaves = {
        "min_insync_replicas": "min.insync.replicas" not in settings and not unread,
        "unclean_leader_election_enable": "unclean.leader.election.enable" not in settings and not unread,
        "replication_factor": topic.replication_factor is None,
    }
    return {fact: key for fact, key in INHERITED_FACTS.items() if leaves[fact]}


def inherited_configs(topic: DeclaredTopic, estate: Estate) -> Configs:
    """The broker settings a declared topic falls back to: those of the broker it names, else of the
    first broker of the cluster it is linked to, in the audit; else the live cluster's for a topic
    naming no broker; else the values the policy declares for brokers outside it (broker_defaults)."""
    cluster = linked_cluster(topic, declared_clusters(estate.brokers, estate.groupings))
    brokers = cluster.brokers if cluster else ()
    named = [b for b in brokers if b.name == topic.inherits_from] or list(brokers[:1])
    for broker in named:
        configs = with_broker_defaults(broker.settings, broker.path)
        return {key: _inherited(value, broker.name, topic.path) for key, value in configs.items()}
    if topic.inherits_from is None and estate.cluster is not None and estate.cluster.brokers:
        return estate.cluster.brokers[0].configs
    return {key: _declared(value, topic.path) for key, value in estate.broker_defaults.items()}


def _declared(value: ConfigValue, topic_path: str) -> ConfigValue:
    """A value the policy declares for the brokers: the finding points at the topic, the source
    says the policy line."""
    return replace(value, path=topic_path, line=None, detail=f"at line {value.line} of {value.path}")


def _not_read(topic: DeclaredTopic) -> Configs:
    """A topic whose config map was not read: what it may set there is unknown, not the brokers' value."""
    unknown = topic.settings_unknown
    return {broker_key: replace(unknown, key=key) for key, broker_key in TOPIC_FROM_BROKER.items()} if unknown else {}


def _inherited(value: ConfigValue, broker: str, topic_path: str) -> ConfigValue:
    """An inherited value has no line in the topic's file; the detail says where it came from."""
    where = f"{value.path}:{value.line}" if value.line else value.path
    detail = f"inherited from {broker} ({where})" + (f": {value.detail}" if value.detail else "")
    return replace(value, path=topic_path, line=None, detail=detail)


def _known_broker_count(topic: DeclaredTopic, estate: Estate) -> int | None:
    """The brokers of the cluster the topic declares (its linked declared cluster), else of the live cluster."""
    cluster = linked_cluster(topic, declared_clusters(estate.brokers, estate.groupings))
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
        lambda t: t.inherited("replication_factor", t.replication_factor),
    ),
    Spec(
        "min_insync_replicas",
        "effective min.insync.replicas of the topic, with its source",
        lambda t: t.inherited("min_insync_replicas", config_fact(t.configs, "min.insync.replicas", parse_int)),
    ),
    Spec(
        "unclean_leader_election_enable",
        "effective unclean.leader.election.enable, with its source",
        lambda t: t.inherited(
            "unclean_leader_election_enable", config_fact(t.configs, "unclean.leader.election.enable", parse_bool)
        ),
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
        "declared_format": "the format of that file (strimzi, terraform, topicctl, docker-compose); "
        "unknown for a live topic",
        "setting_names": "how that file writes a setting a fix names (KafkaTopic spec.config and topicctl "
        "spec.settings: YAML; a Terraform config map entry; a live topic: key=value)",
        "declared_in": "'the cluster' or the file that declares the topic",
    },
    build=topic_subjects,
)
