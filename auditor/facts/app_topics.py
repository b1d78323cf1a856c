"""Facts of the topics Connect, Streams and MirrorMaker 2 keep on the audited cluster.

- connect-topic: a Connect worker's config/offset/status topics: named by a worker file read in
  the same audit, else found by the usual names (connect-configs, connect-cluster-offsets,
  docker-connect-status, mm2-configs.<alias>.internal, ...);
- streams-topic: `<application.id>-...-changelog` / `-repartition`, where application.id is a
  consumer group on the cluster (a running Streams application) or a Streams file's application.id;
  a topic of that shape no group matches is still judged, its application unnamed;
- mirror-topic: MirrorMaker 2's `mm2-offset-syncs.<alias>.internal`, `<alias>.checkpoints.internal`,
  `heartbeats`, and the remote topics `<alias>.<topic>` of a known flow's source alias.

Each is judged like a topic, with a finding that names the component it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
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
from auditor.facts.components import lower
from auditor.findings import Resource
from auditor.model import ClusterSnapshot, Estate, Kind, Topic

CONNECT_NAMES = re.compile(
    r"^(?:(?P<owner>.*connect.*?)[-_.](?P<role>configs?|offsets?|status(?:es)?)"
    r"|mm2-(?P<mm2role>configs|offsets|status)\.(?P<alias>.+)\.internal)$",
    re.IGNORECASE,
)
STREAMS_SUFFIX = re.compile(r"-(changelog|repartition)$")
MIRROR_INTERNAL = re.compile(
    r"^(?:mm2-offset-syncs\.(?P<sync>.+)\.internal|(?P<ckpt>.+)\.checkpoints\.internal|heartbeats)$"
)
_ROLES = {
    "config": "config",
    "configs": "config",
    "offset": "offset",
    "offsets": "offset",
    "status": "status",
    "statuses": "status",
}
STORAGE_KEYS = {"config": "config.storage.topic", "offset": "offset.storage.topic", "status": "status.storage.topic"}


@dataclass(frozen=True)
class Owned:
    """A topic and what it belongs to: the component (worker, application, flow), its role, how found."""

    topic: Topic
    owner: str
    role: str
    found_by: str


# --------------------------------------------------------------------------- discovery


def connect_topics(estate: Estate, cluster: ClusterSnapshot) -> Iterator[Owned]:
    named = {}
    for worker in estate.connect_workers:
        for role, key in STORAGE_KEYS.items():
            value = worker.settings.get(key)
            if value is not None and value.value:
                named[value.value.strip()] = (worker.name, role)
    for topic in cluster.topics:
        if topic.name in named:
            owner, role = named[topic.name]
            yield Owned(topic, owner, role, f"named by {owner}")
        elif match := CONNECT_NAMES.match(topic.name):
            role = _ROLES[(match.group("role") or match.group("mm2role")).lower()]
            owner = match.group("owner") or f"MirrorMaker 2 ({match.group('alias')})"
            yield Owned(topic, owner, role, "found by its name")


def streams_topics(estate: Estate, cluster: ClusterSnapshot) -> Iterator[Owned]:
    apps = {g.id: "its consumer group" for g in cluster.groups}
    apps.update({a.name: f"the application.id of {a.path}" for a in estate.streams_apps})
    by_length = sorted(apps, key=len, reverse=True)
    for topic in cluster.topics:
        suffix = STREAMS_SUFFIX.search(topic.name)
        if suffix is None:
            continue
        app = next((a for a in by_length if topic.name.startswith(f"{a}-")), None)
        if app is not None:
            yield Owned(topic, app, suffix.group(1), f"application {app} ({apps[app]})")
        else:  # a stopped application whose group expired still owns its state
            yield Owned(topic, "(no consumer group matches)", suffix.group(1), "found by its name")


def mirror_topics(estate: Estate, cluster: ClusterSnapshot) -> Iterator[Owned]:
    sources = {f.source: f.name for f in estate.mirror_flows}
    for topic in cluster.topics:
        if match := MIRROR_INTERNAL.match(topic.name):
            alias = match.group("sync") or match.group("ckpt")
            role = "offset-syncs" if match.group("sync") else "checkpoints" if match.group("ckpt") else "heartbeats"
            yield Owned(topic, f"MirrorMaker 2 ({alias})" if alias else "MirrorMaker 2", role, "found by its name")
            continue
        alias, dot, _rest = topic.name.partition(".")
        if dot and alias in sources:
            yield Owned(topic, sources[alias], "remote", f"mirrored from cluster {alias}")


# --------------------------------------------------------------------------- subjects


def owned_subject(kind: Kind, owned: Owned, cluster: ClusterSnapshot) -> Subject:
    topic = owned.topic
    context = {
        "topic": topic.name,
        "found_by": owned.found_by,
        **cluster_access(cluster),
        "declared_file": None,  # a topic of the live cluster: kafka-configs.sh sets its configs
    }
    return Subject(
        resource=Resource(kind, topic.name),
        facts=OWNED_FACTS.derive(owned),
        scope=Scope(topic=topic.name),
        context=context,
    )


Finder = Callable[[Estate, ClusterSnapshot], Iterator[Owned]]


def _subjects(kind: Kind, finder: Finder) -> SubjectKind:
    def build(estate: Estate) -> Iterable[Subject]:
        if estate.cluster is None:
            return []
        return [owned_subject(kind, owned, estate.cluster) for owned in finder(estate, estate.cluster)]

    return SubjectKind(name=kind, facts=OWNED_FACTS, context=OWNED_CONTEXT, build=build)


Spec = FactSpec[Owned, Fact]
OWNED_FACTS = FactTable(
    Spec("owner", "the worker, application or MirrorMaker 2 flow the topic belongs to", lambda o: Fact(o.owner)),
    Spec(
        "role",
        "connect: config, offset, status; streams: changelog, repartition; mirror: offset-syncs, "
        "checkpoints, heartbeats, remote",
        lambda o: Fact(o.role),
    ),
    Spec(
        "replication_factor",
        "replicas per partition (the smallest if partitions differ)",
        lambda o: Fact(o.topic.replication_factor),
    ),
    Spec(
        "min_insync_replicas",
        "effective min.insync.replicas of the topic",
        lambda o: config_fact(o.topic.configs, "min.insync.replicas", parse_int),
    ),
    Spec(
        "cleanup_policy",
        "effective cleanup.policy (compact, delete, or both)",
        lambda o: config_fact(o.topic.configs, "cleanup.policy", lower),
    ),
)
OWNED_CONTEXT = {
    "topic": "topic name",
    "found_by": "how the topic was tied to its component",
    **CLUSTER_ACCESS,
    "declared_file": "always unknown: these topics are read from the live cluster",
}
CONNECT_TOPIC = _subjects(Kind.CONNECT_TOPIC, connect_topics)
STREAMS_TOPIC = _subjects(Kind.STREAMS_TOPIC, streams_topics)
MIRROR_TOPIC = _subjects(Kind.MIRROR_TOPIC, mirror_topics)
