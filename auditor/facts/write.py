"""Facts of a declared write: one service producing to one topic, judged against the cluster (or
snapshot), the producer's configuration after its library's defaults, and the declared readers.
Without a cluster the cluster-side facts are unknown, never assumed fine."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial

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
    declared_location,
    parse_bool,
    parse_int,
)
from auditor.facts.clients import ClientView, Effective
from auditor.facts.consumer import CONSUMER_FACTS
from auditor.facts.producer import PRODUCER_FACTS
from auditor.facts.survival import UNKNOWN_SURVIVAL, Survival, rack_domain, survival
from auditor.findings import Resource
from auditor.model import ClusterSnapshot, Estate, Kind, ProducerDeclaration, Role, Service, Topic


def write_resource(service: str, topic: str) -> Resource:
    return Resource(Kind.WRITE, f"{service} -> {topic}")


def _find_topic(cluster: ClusterSnapshot | None, name: str) -> Topic | None:
    if cluster is None:
        return None
    return next((t for t in cluster.topics if t.name == name), None)


def _effective(config_facts: Mapping[str, Effective], name: str) -> Fact:
    found = config_facts.get(name)
    return Fact(None) if found is None else Fact(found.value, found.origin)


def write_subjects(estate: Estate) -> Iterator[Subject]:
    readers = _readers(estate)
    for service in estate.services:
        if service.producer is not None:
            for topic in service.producer.topics:
                yield write_subject(service, service.producer, topic, estate, readers.get(topic, []))


def _readers(estate: Estate) -> dict[str, list[tuple[str, Fact]]]:
    """Per topic, the declared consumers and their effective isolation.level."""
    found: dict[str, list[tuple[str, Fact]]] = {}
    for service in estate.services:
        consumer = service.consumer
        if consumer is None:
            continue
        isolation = (
            _effective(CONSUMER_FACTS.derive(ClientView(consumer.config, Role.CONSUMER)), "isolation_level")
            if consumer.config
            else Fact(None)
        )
        for topic in consumer.topics:
            found.setdefault(topic, []).append((service.name, isolation))
    return found


@dataclass(frozen=True)
class WriteSeen:
    """What one declared write's facts are derived from, each read or judged once."""

    service: Service
    producer: ProducerDeclaration
    topic_name: str
    cluster: ClusterSnapshot | None
    topic: Topic | None
    config: Mapping[str, Effective]
    min_isr: Fact
    surv: Survival
    by_rack: Survival
    readers: list[tuple[str, Fact]]

    @property
    def acks(self) -> Fact:
        return _effective(self.config, "acks")

    @property
    def uncommitted(self) -> list[str]:
        return [name for name, level in self.readers if level.value == "read_uncommitted"]


def write_seen(
    service: Service, producer: ProducerDeclaration, topic_name: str, estate: Estate, readers: list[tuple[str, Fact]]
) -> WriteSeen:
    config = PRODUCER_FACTS.derive(ClientView(producer.config, Role.PRODUCER)) if producer.config else {}
    cluster = estate.cluster
    topic = _find_topic(cluster, topic_name)
    min_isr = config_fact(topic.configs if topic else {}, "min.insync.replicas", parse_int)
    surv, by_rack = UNKNOWN_SURVIVAL, UNKNOWN_SURVIVAL
    if topic is not None and cluster is not None:
        unclean = config_fact(topic.configs, "unclean.leader.election.enable", parse_bool)
        acks = _effective(config, "acks")
        judged = partial(survival, topic, acks.value, _int(min_isr.value), unclean.value is True)
        racks = rack_domain(cluster, topic)
        surv, by_rack = judged(), judged(racks) if racks else UNKNOWN_SURVIVAL
    return WriteSeen(service, producer, topic_name, cluster, topic, config, min_isr, surv, by_rack, readers)


def write_subject(
    service: Service, producer: ProducerDeclaration, topic_name: str, estate: Estate, readers: list[tuple[str, Fact]]
) -> Subject:
    seen = write_seen(service, producer, topic_name, estate, readers)
    acks, min_isr = seen.acks, seen.min_isr
    return Subject(
        resource=write_resource(service.name, topic_name),
        scope=Scope(topic=topic_name),
        facts=WRITE_FACTS.derive(seen),
        location=declared_location(producer.at),
        context={
            "service": service.name,
            "topic": topic_name,
            "producer_config": producer.config.path if producer.config else "no config file declared",
            "acks_source": acks.origin.describe_source() if acks.origin else "unknown",
            "min_isr_source": min_isr.origin.describe_source() if min_isr.origin else "unknown",
            "uncommitted_reader_names": ", ".join(seen.uncommitted) or "none",
            **cluster_access(seen.cluster),
        },
    )


def _uncommitted_readers(seen: WriteSeen) -> Fact:
    uncommitted = seen.uncommitted
    unknown_readers = any(level.value is None for _, level in seen.readers)
    return Fact(None if unknown_readers and not uncommitted else len(uncommitted))


def _auto_create(seen: WriteSeen) -> Fact:
    cluster = seen.cluster
    broker_configs = cluster.brokers[0].configs if cluster and cluster.brokers else {}
    return config_fact(broker_configs, "auto.create.topics.enable", parse_bool)


def _int(value: FactValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


Spec = FactSpec[WriteSeen, Fact]
WRITE_FACTS = FactTable(
    Spec("service", "the declared service", lambda w: Fact(w.service.name)),
    Spec("topic", "a topic it declares it writes", lambda w: Fact(w.topic_name)),
    Spec(
        "has_config",
        "whether the service declares its producer config file",
        lambda w: Fact(w.producer.config is not None),
    ),
    Spec("acks", "the producer's effective acks: all, 1 or 0", lambda w: w.acks),
    Spec("retries", "the producer's effective retries", lambda w: _effective(w.config, "retries")),
    Spec("idempotence", "the producer's effective idempotence", lambda w: _effective(w.config, "idempotence")),
    Spec(
        "transactional", "true when the producer sets transactional.id", lambda w: _effective(w.config, "transactional")
    ),
    Spec(
        "topic_exists",
        "whether the topic exists on the cluster (unknown without one)",
        lambda w: Fact(None if w.cluster is None else w.topic is not None),
    ),
    Spec("auto_create_topics_enable", "the cluster's auto.create.topics.enable", _auto_create),
    Spec(
        "replication_factor",
        "the topic's replication factor",
        lambda w: Fact(w.topic.replication_factor if w.topic else None),
    ),
    Spec("min_insync_replicas", "the topic's effective min.insync.replicas", lambda w: w.min_isr),
    Spec(
        "uncommitted_readers",
        "declared consumers of the topic reading with isolation.level=read_uncommitted",
        _uncommitted_readers,
    ),
    Spec(
        "survives_without_loss",
        "broker failures after which every acknowledged write still has a copy",
        lambda w: Fact(w.surv.without_loss),
    ),
    Spec(
        "survives_without_blocking",
        "broker failures after which the producer's writes are still accepted",
        lambda w: Fact(w.surv.without_blocking),
    ),
    Spec(
        "blocked_partitions",
        "partitions that do not accept the producer's writes now (offline, under min ISR)",
        lambda w: Fact(w.surv.blocked_partitions),
    ),
    Spec(
        "rack_failures_without_loss",
        "rack failures after which every acknowledged write still has a copy (unknown without racks)",
        lambda w: Fact(w.by_rack.without_loss),
    ),
    Spec(
        "rack_failures_without_blocking",
        "rack failures after which the producer's writes are still accepted",
        lambda w: Fact(w.by_rack.without_blocking),
    ),
    Spec(
        "outbox_declared",
        "whether the service declares a transactional outbox",
        lambda w: Fact(w.service.outbox is not None),
    ),
)

WRITE = SubjectKind(
    name=Kind.WRITE,
    facts=WRITE_FACTS,
    context={
        "service": "the declared service",
        "topic": "the topic",
        "producer_config": "the producer config file",
        "acks_source": "where acks came from",
        "min_isr_source": "where min.insync.replicas came from",
        "uncommitted_reader_names": "the services reading the topic with read_uncommitted",
        **CLUSTER_ACCESS,
    },
    build=write_subjects,
)
