"""Facts: what the rules need, derived from the model.

A rule never reads the model; it reads facts of a subject (a topic, a broker, ...). Each fact
carries its value (None when it could not be determined) and, where it is a configuration
value, the ConfigValue it came from, so a finding can say where the value was set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from auditor.findings import Location, Resource
from auditor.model import ClusterSnapshot, ConfigValue, Topic

FactValue = int | float | str | bool | None


@dataclass(frozen=True)
class Fact:
    value: FactValue
    origin: ConfigValue | None = None


@dataclass(frozen=True)
class Subject:
    """One resource and its facts, as a rule sees it."""

    resource: Resource
    facts: Mapping[str, Fact]
    location: Location | None = None
    context: Mapping[str, str] = field(default_factory=dict)


def parse_int(raw: str | None) -> int | None:
    try:
        return int(raw.strip()) if raw is not None else None
    except ValueError:
        return None


def parse_bool(raw: str | None) -> bool | None:
    """Kafka's ConfigDef reads booleans case-insensitively and trims them."""
    if raw is None:
        return None
    lowered = raw.strip().lower()
    return {"true": True, "false": False}.get(lowered)


def config_fact(configs: Mapping[str, ConfigValue], key: str, parse: Callable[..., FactValue]) -> Fact:
    origin = configs.get(key)
    if origin is None:
        return Fact(None)
    return Fact(parse(origin.value), origin)


# The facts each kind of subject offers, with what they mean. Rule conditions may name only
# these; the loader rejects anything else.
FACT_CATALOG: dict[str, dict[str, str]] = {
    "topic": {
        "name": "topic name",
        "internal": "true for Kafka's internal topics (__consumer_offsets, __transaction_state)",
        "partition_count": "number of partitions",
        "replication_factor": "replicas per partition (the smallest if partitions differ)",
        "min_insync_replicas": "effective min.insync.replicas of the topic, with its source",
        "unclean_leader_election_enable": "effective unclean.leader.election.enable, with its source",
    },
}


# Names a rule's templates may use besides facts and params, per kind of subject.
CONTEXT_CATALOG: dict[str, dict[str, str]] = {
    "topic": {"topic": "topic name", "bootstrap": "the cluster's bootstrap servers"},
}


def topic_subject(topic: Topic, cluster: str) -> Subject:
    configs = topic.configs
    facts = {
        "name": Fact(topic.name),
        "internal": Fact(topic.internal),
        "partition_count": Fact(len(topic.partitions)),
        "replication_factor": Fact(topic.replication_factor),
        "min_insync_replicas": config_fact(configs, "min.insync.replicas", parse_int),
        "unclean_leader_election_enable": config_fact(configs, "unclean.leader.election.enable", parse_bool),
    }
    return Subject(
        resource=Resource("topic", topic.name),
        facts=facts,
        context={"topic": topic.name, "bootstrap": cluster},
    )


def cluster_subjects(snapshot: ClusterSnapshot) -> dict[str, list[Subject]]:
    """Every subject of a cluster snapshot, by kind."""
    return {"topic": [topic_subject(t, snapshot.bootstrap) for t in snapshot.topics]}


def subjects_of_kind(subjects: Mapping[str, Iterable[Subject]], kind: str) -> list[Subject]:
    return list(subjects.get(kind, ()))
