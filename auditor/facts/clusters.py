"""Declared brokers grouped into the clusters the files' evidence says they form, and declared topics
linked to one only through a declared link.

Brokers belong together when they are services of one compose file (one compose project), the
same Strimzi `Kafka` (namespace, name and folder: examples that all call their cluster my-cluster
are different clusters), or server.properties files that name the same controller.quorum.voters
(or controller.quorum.bootstrap.servers) or the same zookeeper.connect. Files of one such quorum
that reuse a node id are alternatives of one node, not peers (Kafka's own config/kraft/*.properties),
so each of them stays a cluster of its own. Anything else is a cluster of its own.

A declared topic is linked to a cluster by what it declares: a compose service's KAFKA_CREATE_TOPICS
(that service's compose file), a Strimzi KafkaTopic's strimzi.io/cluster label in its namespace (the
`Kafka` of the topic's folder first; another folder's only when it is the one such `Kafka` of the
audit), a topicctl cluster file's bootstrapAddrs or a Terraform kafka provider's bootstrap_servers
naming an address the cluster's brokers advertise (advertised.listeners, else listeners). The
policy may declare a cluster for files (`clusters: - name, files`): the brokers and topics of
matching files are that cluster, before any other evidence. Without a link a declared topic is
judged against no declared broker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from auditor.model import BrokerSettings, ClusterGroup, ClusterMember, DeclaredGrouping, DeclaredTopic

COMPOSE = "docker-compose"
STRIMZI = "strimzi"
_QUORUM_KEYS = ("controller.quorum.voters", "controller.quorum.bootstrap.servers", "zookeeper.connect")
_ID_KEYS = ("node.id", "broker.id")


@dataclass(frozen=True)
class DeclaredCluster:
    """Declared brokers that form one cluster, and the evidence that says so."""

    name: str  # how reports name the cluster
    evidence: str  # why its brokers are one cluster
    brokers: tuple[BrokerSettings, ...]
    grouping: DeclaredGrouping | None = None  # the policy's declaration it comes from

    @property
    def addresses(self) -> frozenset[str]:
        """host:port its brokers advertise (advertised.listeners, else listeners), lower-cased."""
        return frozenset(a for b in self.brokers for a in broker_addresses(b))


def declared_clusters(
    brokers: Sequence[BrokerSettings], groupings: Sequence[DeclaredGrouping] = ()
) -> list[DeclaredCluster]:
    """The clusters the declared brokers form, in the order their first broker was read."""
    groups: dict[tuple[str, ...], list[BrokerSettings]] = defaultdict(list)
    for broker in brokers:
        groups[_key(broker, groupings)].append(broker)
    clusters: list[DeclaredCluster] = []
    for key, members in groups.items():
        if key[0] == "declared":
            grouping = next(g for g in groupings if g.name == key[1])
            clusters.append(
                DeclaredCluster(grouping.name, f"declared in the policy ({grouping.where})", tuple(members), grouping)
            )
        elif key[0] == "quorum" and _reuses_a_node_id(members):
            clusters += [_alone(b, f"{key[1]}={key[2]} shared, but a node id is reused") for b in members]
        else:
            clusters.append(_cluster(key, members))
    return clusters


def broker_addresses(broker: BrokerSettings) -> frozenset[str]:
    for key in ("advertised.listeners", "listeners"):
        value = broker.settings.get(key)
        if value is not None and value.value:
            found = {_address(listener) for listener in value.value.split(",")}
            return frozenset(a for a in found if a is not None)
    return frozenset()


def _address(listener: str) -> str | None:
    """`NAME://host:port` -> `host:port`; None for a listener bound to every interface or no host."""
    _, _, where = listener.strip().rpartition("://")
    host, _, port = where.rpartition(":")
    if not host or not port or host in ("0.0.0.0", "[::]", "::"):
        return None
    return f"{host.lower()}:{port}"


def cluster_groups(
    brokers: Sequence[BrokerSettings], topics: Sequence[DeclaredTopic], groupings: Sequence[DeclaredGrouping] = ()
) -> tuple[ClusterGroup, ...]:
    """The clusters formed from the declared brokers, with the topics linked to each, as reports show them."""
    clusters = declared_clusters(brokers, groupings)
    linked: dict[int, list[DeclaredTopic]] = defaultdict(list)
    for topic in topics:
        cluster = linked_cluster(topic, clusters)
        if cluster is not None:
            linked[id(cluster)].append(topic)
    return tuple(
        ClusterGroup(
            cluster.name,
            cluster.evidence,
            tuple(ClusterMember("broker", b.name, b.path) for b in cluster.brokers)
            + tuple(ClusterMember("topic", t.name, t.path, _link(t, cluster)) for t in linked[id(cluster)]),
        )
        for cluster in clusters
    )


def _link(topic: DeclaredTopic, cluster: DeclaredCluster) -> str:
    """What links a declared topic to its cluster, in the words of the file that says so."""
    if cluster.grouping is not None and cluster.grouping.holds(topic.path):
        return f"declared in the policy ({cluster.grouping.where})"
    if topic.inherits_from is not None and topic.format == COMPOSE:
        return f"KAFKA_CREATE_TOPICS of service {topic.inherits_from}"
    if topic.inherits_from is not None:
        return f"strimzi.io/cluster: {topic.inherits_from.removeprefix('Kafka/')}"
    return topic.bootstrap_from or "bootstrap servers"


def linked_cluster(topic: DeclaredTopic, clusters: Sequence[DeclaredCluster]) -> DeclaredCluster | None:
    """The cluster a declared topic names, or None when it declares none the audit holds."""
    declared = [c for c in clusters if c.grouping is not None and c.grouping.holds(topic.path)]
    if declared:
        return declared[0]
    if topic.inherits_from is None:
        return _by_address(topic, clusters)
    if topic.format == COMPOSE:
        return next(
            (c for c in clusters for b in c.brokers if b.path == topic.path and b.name == topic.inherits_from), None
        )
    named = [
        c
        for c in clusters
        for b in c.brokers[:1]
        if b.format == STRIMZI and b.name == topic.inherits_from and b.namespace == topic.namespace
    ]
    here = [c for c in named if PurePath(c.brokers[0].path).parent == PurePath(topic.path).parent]
    if here:
        return here[0]
    return named[0] if len(named) == 1 else None


def _by_address(topic: DeclaredTopic, clusters: Sequence[DeclaredCluster]) -> DeclaredCluster | None:
    """The one cluster whose brokers listen where the topic's tool or provider connects."""
    wanted = {a.strip().lower() for a in topic.bootstrap}
    matching = [c for c in clusters if wanted & c.addresses]
    return matching[0] if len(matching) == 1 else None


def _key(broker: BrokerSettings, groupings: Sequence[DeclaredGrouping]) -> tuple[str, ...]:
    declared = next((g for g in groupings if g.holds(broker.path)), None)
    if declared is not None:
        return ("declared", declared.name)
    if broker.format == COMPOSE:
        return ("compose", broker.path)
    if broker.format == STRIMZI:
        return ("strimzi", str(PurePath(broker.path).parent), broker.namespace or "", broker.name)
    for setting in _QUORUM_KEYS:
        value = broker.settings.get(setting)
        if value is not None and value.value is not None and value.value.strip():
            return ("quorum", setting, ",".join(sorted(v.strip() for v in value.value.split(","))))
    return ("alone", broker.path, broker.name)


def _reuses_a_node_id(members: Sequence[BrokerSettings]) -> bool:
    ids = [_node_id(b) for b in members]
    return len(set(ids)) < len(ids)


def _node_id(broker: BrokerSettings) -> str | None:
    for key in _ID_KEYS:
        value = broker.settings.get(key)
        if value is not None:
            return value.value
    return None


def _alone(broker: BrokerSettings, why: str) -> DeclaredCluster:
    return DeclaredCluster(broker.name, f"{broker.path} alone ({why})", (broker,))


def _cluster(key: tuple[str, ...], members: list[BrokerSettings]) -> DeclaredCluster:
    first = members[0]
    if key[0] == "compose":
        return DeclaredCluster(first.path, f"the services of one compose file ({first.path})", tuple(members))
    if key[0] == "strimzi":
        where = f"namespace {first.namespace}, " if first.namespace else ""
        return DeclaredCluster(first.name, f"one Strimzi resource ({where}{first.path})", tuple(members))
    if key[0] == "quorum":
        names = ", ".join(b.path for b in members)
        return DeclaredCluster(f"{key[1]}={key[2]}", f"the same {key[1]} ({names})", tuple(members))
    return _alone(first, "no compose project, Strimzi resource or quorum shared with another file")
