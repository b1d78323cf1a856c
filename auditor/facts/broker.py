"""Facts of a broker: each live broker's effective configuration, and each broker declared in a file.

Live brokers are compared with each other (STO018) and counted together (STO015). Declared
brokers are grouped into the clusters their files' evidence says they form (auditor.facts.clusters:
one compose file, one Strimzi Kafka resource of its node count, server.properties files sharing a
controller quorum or ZooKeeper); only brokers of one group are compared and counted together.
A live broker whose configuration could not be read has unknown facts, never passing ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
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
    parse_bool,
    parse_int,
)
from auditor.facts.clusters import declared_clusters as clusters_of
from auditor.facts.defaults import with_broker_defaults
from auditor.facts.spelling import declared_names
from auditor.findings import Location, Resource
from auditor.model import Configs, ConfigValue, Estate, Kind

# Settings that decide durability and must agree across brokers (STO018).
DURABILITY_KEYS: tuple[str, ...] = (
    "min.insync.replicas",
    "default.replication.factor",
    "unclean.leader.election.enable",
    "offsets.topic.replication.factor",
    "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr",
    "auto.create.topics.enable",
)


@dataclass(frozen=True)
class BrokerView:
    """One broker's effective settings, whatever it was read from."""

    name: str
    configs: Configs
    has_rack: Fact
    live: bool
    config_file: str
    declared_file: str | None  # None: a broker of the live cluster
    declared_format: str | None = None  # the declaring file's format: strimzi, compose, server-properties
    variable_prefix: str | None = None  # a compose service's image: the prefix of its setting variables
    location: Location | None = None
    nodes: int | None = 1  # brokers it stands for (a Strimzi Kafka: its replicas); None: unknown


def broker_subjects(estate: Estate) -> Iterator[Subject]:
    access = cluster_access(estate.cluster)
    for group in (live_brokers(estate), *declared_clusters(estate)):
        for view in group:
            yield broker_subject(view, group, access, estate.broker_defaults)


def live_brokers(estate: Estate) -> list[BrokerView]:
    if estate.cluster is None:
        return []
    return [
        BrokerView(
            name=str(b.id),
            configs=b.configs,
            has_rack=Fact(b.rack is not None),
            live=True,
            config_file="its server.properties",
            declared_file=None,
        )
        for b in estate.cluster.brokers
        # a down or silent broker whose configs were not read is a coverage gap of the source, not 9 unknowns
        if not ((b.fenced or b.silent) and not b.configs)
    ]


def declared_clusters(estate: Estate) -> list[list[BrokerView]]:
    """Declared brokers grouped by the cluster the evidence says they form (auditor.facts.clusters)."""
    views = {id(settings): view for settings, view in zip(estate.brokers, declared_brokers(estate), strict=True)}
    return [[views[id(b)] for b in cluster.brokers] for cluster in clusters_of(estate.brokers, estate.groupings)]


def declared_brokers(estate: Estate) -> list[BrokerView]:
    views = []
    for b in estate.brokers:
        rack = b.settings.get("broker.rack")
        has_rack = Fact(False) if rack is None else Fact(None if rack.value is None else bool(rack.value.strip()), rack)
        views.append(
            BrokerView(
                name=b.name,
                configs=with_broker_defaults(b.settings, b.path),
                has_rack=has_rack,
                live=False,
                config_file=b.path,
                declared_file=b.path,
                declared_format=b.format,
                variable_prefix=b.variable_prefix,
                location=Location(b.path),
                nodes=b.nodes,
            )
        )
    return views


@dataclass(frozen=True)
class BrokerSeen:
    """What a broker's facts are derived from: its settings and the brokers of its cluster."""

    view: BrokerView
    peers: Sequence[BrokerView]
    declared: Mapping[str, ConfigValue]  # the policy's broker_defaults

    def int_setting(self, key: str) -> Fact:
        return config_fact(self.view.configs, key, parse_int)

    def bool_setting(self, key: str) -> Fact:
        return config_fact(self.view.configs, key, parse_bool)


def broker_subject(
    view: BrokerView,
    peers: Sequence[BrokerView],
    access: Mapping[str, str | None],
    declared: Mapping[str, ConfigValue],
) -> Subject:
    return Subject(
        resource=Resource(Kind.BROKER, view.name),
        scope=Scope(),
        facts=BROKER_FACTS.derive(BrokerSeen(view, peers, declared)),
        location=view.location,
        context={
            "broker": view.name,
            **access,
            "config_file": view.config_file,
            "declared_file": view.declared_file,
            "declared_format": view.declared_format,
            "setting_names": declared_names(view.declared_format, view.variable_prefix),
            "variable_prefix": view.variable_prefix,
        },
    )


def broker_count(peers: Sequence[BrokerView]) -> int | None:
    counts = [p.nodes for p in peers]
    return None if any(n is None for n in counts) else sum(n or 0 for n in counts)


def differing_settings(view: BrokerView, peers: Sequence[BrokerView]) -> str | None:
    """Durability settings where this broker departs from the most common value of its peers.

    "" when it agrees on every setting; None when it agrees on all it could compare but some
    value (its own or every peer's) is unknown.
    """
    differences: list[str] = []
    unknown = False
    for key in DURABILITY_KEYS:
        mine = _value(view, key)
        counts = Counter(v for v in (_value(p, key) for p in peers) if v is not None)
        if mine is None:
            unknown = unknown or len(peers) > 1
            continue
        if len(counts) <= 1 or _clear_majority(counts) == mine:
            continue
        others = sorted(v for v in counts if v != mine)
        differences.append(f"{key}={mine} (other brokers: {', '.join(others)})")
    if differences:
        return "; ".join(differences)
    return None if unknown else ""


def policy_contradiction(view: BrokerView, declared: Mapping[str, ConfigValue]) -> str | None:
    """Where this broker departs from what the policy's broker_defaults declares for brokers:
    "" when it agrees on every declared key, None when a value it would
    be compared on is unknown."""
    differences: list[str] = []
    unknown = False
    for key, value in declared.items():
        mine = _value(view, key)
        if mine is None:
            unknown = True
        elif value.value is not None and mine != value.value.strip().lower():
            differences.append(f"{key}={mine}, the policy declares {value.value} at {value.path}:{value.line}")
    if differences:
        return "; ".join(differences)
    return None if unknown else ""


def _clear_majority(counts: Counter[str]) -> str | None:
    (top, top_count), *rest = counts.most_common()
    return top if not rest or rest[0][1] < top_count else None


def _value(view: BrokerView, key: str) -> str | None:
    config = view.configs.get(key)
    return None if config is None or config.value is None else config.value.strip().lower()


Spec = FactSpec[BrokerSeen, Fact]
BROKER_FACTS = FactTable(
    Spec("id", "broker id (live) or the broker's name in its file", lambda b: Fact(b.view.name)),
    Spec(
        "live", "true for a broker of the live cluster, false for one declared in a file", lambda b: Fact(b.view.live)
    ),
    Spec(
        "min_insync_replicas",
        "the broker's min.insync.replicas (the default of topics without an override)",
        lambda b: b.int_setting("min.insync.replicas"),
    ),
    Spec(
        "default_replication_factor",
        "default.replication.factor (auto-created topics, topics created without one)",
        lambda b: b.int_setting("default.replication.factor"),
    ),
    Spec(
        "unclean_leader_election_enable",
        "unclean.leader.election.enable (the default of topics)",
        lambda b: b.bool_setting("unclean.leader.election.enable"),
    ),
    Spec(
        "auto_create_topics_enable", "auto.create.topics.enable", lambda b: b.bool_setting("auto.create.topics.enable")
    ),
    Spec(
        "offsets_topic_replication_factor",
        "offsets.topic.replication.factor (__consumer_offsets)",
        lambda b: b.int_setting("offsets.topic.replication.factor"),
    ),
    Spec(
        "transaction_state_log_replication_factor",
        "transaction.state.log.replication.factor (__transaction_state)",
        lambda b: b.int_setting("transaction.state.log.replication.factor"),
    ),
    Spec(
        "transaction_state_log_min_isr",
        "transaction.state.log.min.isr (__transaction_state's min.insync.replicas)",
        lambda b: b.int_setting("transaction.state.log.min.isr"),
    ),
    Spec("has_rack", "whether broker.rack is set", lambda b: b.view.has_rack),
    Spec(
        "policy_contradiction",
        "the settings where the broker departs from the policy's broker_defaults, with the declared value "
        "and its line; empty when it agrees; not applicable when the policy declares none",
        lambda b: (
            Fact(policy_contradiction(b.view, b.declared))
            if b.declared
            else Fact(None, not_applicable="the policy declares no broker_defaults", by_policy=True)
        ),
    ),
    Spec(
        "broker_count",
        "brokers of its cluster: the live cluster, or the declared brokers grouped with it (a Strimzi "
        "Kafka's node count; the services of one compose file; server.properties files naming one "
        "controller quorum or ZooKeeper)",
        lambda b: Fact(broker_count(b.peers)),
    ),
    Spec(
        "differing_settings",
        "durability settings where this broker differs from its peers ('' when none)",
        lambda b: Fact(differing_settings(b.view, b.peers)),
    ),
)

BROKER = SubjectKind(
    name=Kind.BROKER,
    facts=BROKER_FACTS,
    context={
        "broker": "broker id or name",
        **CLUSTER_ACCESS,
        "config_file": "the broker's configuration file",
        "declared_file": "the file that declares the broker; unknown for a broker of the live cluster",
        "declared_format": "the format of that file (strimzi, docker-compose, server-properties); "
        "unknown for a live broker",
        "variable_prefix": "a compose service's image: the prefix of its setting variables (KAFKA_CFG_ on bitnami, "
        "KAFKA_ on apache/confluent/wurstmeister); unknown otherwise",
        "setting_names": "how that file writes a setting a fix names (a compose service: its image's variable, "
        "KAFKA_CFG_MIN_INSYNC_REPLICAS on bitnami; Strimzi: YAML under spec.kafka.config; else key=value)",
    },
    build=broker_subjects,
)
