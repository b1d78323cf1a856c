"""Facts of a declared write: one service producing to one topic, judged against the cluster (or
snapshot), the producer's configuration after its library's defaults, and the declared readers.
Without a cluster the cluster-side facts are unknown, never assumed fine."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial

from auditor.facts.base import (
    CLUSTER_ACCESS,
    Fact,
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
from auditor.facts.consumer import consumer_facts
from auditor.facts.producer import producer_facts
from auditor.facts.survival import UNKNOWN_SURVIVAL, rack_domain, survival
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
            _effective(consumer_facts(ClientView(consumer.config, Role.CONSUMER)), "isolation_level")
            if consumer.config
            else Fact(None)
        )
        for topic in consumer.topics:
            found.setdefault(topic, []).append((service.name, isolation))
    return found


def write_subject(
    service: Service, producer: ProducerDeclaration, topic_name: str, estate: Estate, readers: list[tuple[str, Fact]]
) -> Subject:
    config = producer_facts(ClientView(producer.config, Role.PRODUCER)) if producer.config else {}
    cluster = estate.cluster
    topic = _find_topic(cluster, topic_name)
    configs = topic.configs if topic else {}
    min_isr = config_fact(configs, "min.insync.replicas", parse_int)
    unclean = config_fact(configs, "unclean.leader.election.enable", parse_bool)
    acks = _effective(config, "acks")
    surv, by_rack = UNKNOWN_SURVIVAL, UNKNOWN_SURVIVAL
    if topic is not None and cluster is not None:
        judged = partial(survival, topic, acks.value, _int(min_isr.value), unclean.value is True)
        racks = rack_domain(cluster, topic)
        surv, by_rack = judged(), judged(racks) if racks else UNKNOWN_SURVIVAL
    uncommitted = [name for name, level in readers if level.value == "read_uncommitted"]
    unknown_readers = any(level.value is None for _, level in readers)
    broker_configs = cluster.brokers[0].configs if cluster and cluster.brokers else {}
    facts = {
        "service": Fact(service.name),
        "topic": Fact(topic_name),
        "has_config": Fact(producer.config is not None),
        "acks": acks,
        "retries": _effective(config, "retries"),
        "idempotence": _effective(config, "idempotence"),
        "transactional": _effective(config, "transactional"),
        "topic_exists": Fact(None if cluster is None else topic is not None),
        "auto_create_topics_enable": config_fact(broker_configs, "auto.create.topics.enable", parse_bool),
        "replication_factor": Fact(topic.replication_factor if topic else None),
        "min_insync_replicas": min_isr,
        "uncommitted_readers": Fact(None if unknown_readers and not uncommitted else len(uncommitted)),
        "survives_without_loss": Fact(surv.without_loss),
        "survives_without_blocking": Fact(surv.without_blocking),
        "blocked_partitions": Fact(surv.blocked_partitions),
        "rack_failures_without_loss": Fact(by_rack.without_loss),
        "rack_failures_without_blocking": Fact(by_rack.without_blocking),
        "outbox_declared": Fact(service.outbox is not None),
    }
    return Subject(
        resource=write_resource(service.name, topic_name),
        scope=Scope(topic=topic_name),
        facts=facts,
        location=declared_location(producer.at),
        context={
            "service": service.name,
            "topic": topic_name,
            "producer_config": producer.config.path if producer.config else "no config file declared",
            "acks_source": acks.origin.describe_source() if acks.origin else "unknown",
            "min_isr_source": min_isr.origin.describe_source() if min_isr.origin else "unknown",
            "uncommitted_reader_names": ", ".join(uncommitted) or "none",
            **cluster_access(cluster),
        },
    )


def _int(value: FactValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


WRITE = SubjectKind(
    name=Kind.WRITE,
    facts={
        "service": "the declared service",
        "topic": "a topic it declares it writes",
        "has_config": "whether the service declares its producer config file",
        "acks": "the producer's effective acks: all, 1 or 0",
        "retries": "the producer's effective retries",
        "idempotence": "the producer's effective idempotence",
        "transactional": "true when the producer sets transactional.id",
        "topic_exists": "whether the topic exists on the cluster (unknown without one)",
        "auto_create_topics_enable": "the cluster's auto.create.topics.enable",
        "replication_factor": "the topic's replication factor",
        "min_insync_replicas": "the topic's effective min.insync.replicas",
        "uncommitted_readers": "declared consumers of the topic reading with isolation.level=read_uncommitted",
        "survives_without_loss": "broker failures after which every acknowledged write still has a copy",
        "survives_without_blocking": "broker failures after which the producer's writes are still accepted",
        "blocked_partitions": "partitions that do not accept the producer's writes now (offline, under min ISR)",
        "rack_failures_without_loss": "rack failures after which every acknowledged write still has a copy "
        "(unknown without racks)",
        "rack_failures_without_blocking": "rack failures after which the producer's writes are still accepted",
        "outbox_declared": "whether the service declares a transactional outbox",
    },
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
