"""Facts of declared services: what each (service, topic) write and read is really guaranteed.

A claim in the services manifest is judged against the cluster (or snapshot), the service's
client configuration after its library's defaults, and the databases. Without a cluster the
cluster-side facts are unknown, never assumed fine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
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
    parse_bool,
    parse_int,
)
from auditor.facts.clients import ClientView, Effective
from auditor.facts.consumer import consumer_facts
from auditor.facts.producer import producer_facts
from auditor.findings import Location, Resource
from auditor.model import (
    ClusterSnapshot,
    ConsumerDeclaration,
    Declared,
    Estate,
    Kind,
    Partition,
    ProducerDeclaration,
    Role,
    Service,
    Topic,
    UniqueKeyState,
)


def write_resource(service: str, topic: str) -> Resource:
    return Resource(Kind.WRITE, f"{service} -> {topic}")


def read_resource(service: str, topic: str) -> Resource:
    return Resource(Kind.READ, f"{service} <- {topic}")


def _location(at: Declared) -> Location:
    return Location(at.path, at.line)


def _find_topic(cluster: ClusterSnapshot | None, name: str) -> Topic | None:
    if cluster is None:
        return None
    return next((t for t in cluster.topics if t.name == name), None)


def _effective(config_facts: Mapping[str, Effective], name: str) -> Fact:
    found = config_facts.get(name)
    return Fact(None) if found is None else Fact(found.value, found.origin)


# --- Survival: how many failures a write survives, from RF, min ISR, the live ISR and racks. ---


@dataclass(frozen=True)
class Survival:
    without_loss: int | None  # failures after which every acknowledged write still has a copy
    without_blocking: int | None  # failures after which the producer's writes are still accepted
    blocked_partitions: int | None  # partitions that do not accept such writes now


UNKNOWN_SURVIVAL = Survival(None, None, None)


def survival(
    topic: Topic, acks: FactValue, min_isr: int | None, unclean: bool | None, domain: Callable[[int], str] = str
) -> Survival:
    """Worst case over the partitions, failures striking where they hurt most.

    A failure takes one failure domain: a broker (the default), or with `domain` a rack. acks=all:
    a write is acknowledged once every ISR member has it, and only while the ISR has at least
    min.insync.replicas members, so min(min ISR, RF) copies exist, packed worst case into the
    fewest domains; the writes stop when the ISR falls below min ISR or no leader is left.
    acks=1/0: one copy; the writes stop only without a leader (an ISR member, or any live
    replica with unclean election).
    """
    if topic.replication_factor is None or not topic.partitions or acks not in ("all", "1", "0"):
        return UNKNOWN_SURVIVAL
    if acks == "all" and min_isr is None:
        return UNKNOWN_SURVIVAL
    need = min_isr if acks == "all" and min_isr is not None else 1
    copies = min(need, topic.replication_factor)
    losses, blocks = [], []
    for p in topic.partitions:
        losses.append(_domains_to_hold(p.replicas, copies, domain) - 1)
        electable = p.isr if acks == "all" else _electable(p, unclean)
        writable = p.leader is not None and len(electable) >= need
        blocks.append(_domains_removable(electable, need, domain) if writable else -1)
    blocked = sum(1 for b in blocks if b < 0)
    return Survival(max(min(losses), 0), max(min(blocks), 0), blocked)


def _domain_counts(brokers: tuple[int, ...], domain: Callable[[int], str]) -> list[int]:
    return sorted(Counter(domain(b) for b in brokers).values(), reverse=True)


def _domains_to_hold(replicas: tuple[int, ...], copies: int, domain: Callable[[int], str]) -> int:
    """The fewest domains that can hold `copies` of the replicas (where the data may all be)."""
    held = 0
    for count, size in enumerate(_domain_counts(replicas, domain), start=1):
        held += size
        if held >= copies:
            return count
    return 0


def _domains_removable(members: tuple[int, ...], need: int, domain: Callable[[int], str]) -> int:
    """How many domains can fail, largest first, with `need` members left."""
    left, removed = len(members), 0
    for size in _domain_counts(members, domain):
        if left - size < need:
            break
        left, removed = left - size, removed + 1
    return removed


def rack_domain(cluster: ClusterSnapshot, topic: Topic) -> Callable[[int], str] | None:
    """Each broker's rack (a broker without one is a domain of its own); None when no rack is known."""
    racks = {b.id: b.rack for b in cluster.brokers}
    replicas = {r for p in topic.partitions for r in p.replicas}
    if not any(racks.values()) or not replicas <= set(racks):
        return None
    return lambda broker: racks[broker] or f"broker {broker}"


def _electable(partition: Partition, unclean: bool | None) -> tuple[int, ...]:
    """Replicas that can lead: the ISR, or every live replica with unclean election."""
    if not unclean:
        return partition.isr
    return tuple(r for r in partition.replicas if r not in partition.offline_replicas)


# --- write: one service writing one topic. ---


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
        location=_location(producer.at),
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


# --- read: one service's consumer group reading one topic. ---


def read_subjects(estate: Estate) -> Iterator[Subject]:
    for service in estate.services:
        if service.consumer is not None:
            for topic in service.consumer.topics:
                yield read_subject(service.name, service.consumer, topic, estate.cluster)


def read_subject(service: str, consumer: ConsumerDeclaration, topic: str, cluster: ClusterSnapshot | None) -> Subject:
    group = next((g for g in cluster.groups if g.id == consumer.group), None) if cluster else None
    committed = any(o.topic == topic and o.committed is not None for o in group.offsets) if group is not None else False
    facts = {
        "service": Fact(service),
        "topic": Fact(topic),
        "group_exists": Fact(None if cluster is None else group is not None),
        "has_committed_offsets": Fact(None if cluster is None else committed),
    }
    return Subject(
        resource=read_resource(service, topic),
        scope=Scope(topic=topic, group=consumer.group),
        facts=facts,
        location=_location(consumer.at),
        context={
            "service": service,
            "topic": topic,
            "group": consumer.group,
            **cluster_access(cluster),
        },
    )


READ = SubjectKind(
    name=Kind.READ,
    facts={
        "service": "the declared service",
        "topic": "a topic its consumer group declares it reads",
        "group_exists": "whether the declared group exists on the cluster (unknown without one)",
        "has_committed_offsets": "whether the group has committed offsets on the topic",
    },
    context={
        "service": "the declared service",
        "topic": "the topic",
        "group": "the declared consumer group id",
        **CLUSTER_ACCESS,
    },
    build=read_subjects,
)


# --- service: its outbox and its idempotent processing, as the databases show them. ---


def service_subjects(estate: Estate) -> Iterator[Subject]:
    outboxes = {o.service: o for o in estate.outboxes}
    unique = {u.service: u for u in estate.unique_keys}
    for service in estate.services:
        outbox = outboxes.get(service.name)
        key = unique.get(service.name)
        idem = service.consumer.idempotency if service.consumer else None
        facts = {
            "name": Fact(service.name),
            "produces": Fact(service.producer is not None),
            "business_events": Fact(service.producer.business_events if service.producer else False),
            "consumes": Fact(service.consumer is not None),
            "outbox_declared": Fact(service.outbox is not None),
            "outbox_table_exists": Fact(outbox.table_exists if outbox else None),
            "outbox_missing_columns": Fact(len(outbox.missing_columns) if outbox and outbox.table_exists else None),
            "outbox_stale_pending": Fact(outbox.stale_pending if outbox else None),
            "outbox_oldest_pending_age_s": Fact(outbox.oldest_pending_age_s if outbox else None),
            "idempotency": Fact(idem.strategy if idem else "not declared"),
            "unique_key_enforced": Fact(_enforced(key)),
        }
        yield Subject(
            resource=Resource(Kind.SERVICE, service.name),
            scope=Scope(group=service.consumer.group if service.consumer else None),
            facts=facts,
            location=_location(service.at),
            context=_service_context(service, outbox.missing_columns if outbox else (), key),
        )


def _enforced(key: UniqueKeyState | None) -> bool | None:
    """False when the table or column is missing: nothing can enforce the key."""
    if key is None:
        return None
    if key.table_exists is False or key.column_exists is False:
        return False
    return key.unique if key.table_exists and key.column_exists else None


def _unique_key_problem(key: UniqueKeyState | None) -> str:
    if key is None or key.table_exists is None:
        return "the database could not be read"
    if not key.table_exists:
        return "the table does not exist"
    if not key.column_exists:
        return "the column does not exist"
    return "no primary key, unique constraint or unique index covers exactly that column" if not key.unique else "none"


def _service_context(service: Service, missing: tuple[str, ...], key: UniqueKeyState | None) -> dict[str, str]:
    outbox = service.outbox
    idem = service.consumer.idempotency if service.consumer else None
    return {
        "outbox_table": outbox.table if outbox else "none",
        "outbox_env": outbox.url_env if outbox else "none",
        "outbox_threshold_s": str(outbox.threshold_s) if outbox else "none",
        "outbox_missing_column_names": ", ".join(missing) or "none",
        "unique_key": f"{idem.table}.{idem.column}" if idem and idem.table else "none",
        "group": service.consumer.group if service.consumer else "none",
        "unique_key_problem": _unique_key_problem(key),
    }


SERVICE = SubjectKind(
    name=Kind.SERVICE,
    facts={
        "name": "the declared service",
        "produces": "whether it declares a producer",
        "business_events": "whether its producer is marked as writing business events",
        "consumes": "whether it declares a consumer",
        "outbox_declared": "whether it declares a transactional outbox",
        "outbox_table_exists": "whether the outbox table exists (unknown when the database could not be read)",
        "outbox_missing_columns": "declared outbox columns the table lacks",
        "outbox_stale_pending": "pending outbox rows older than the threshold",
        "outbox_oldest_pending_age_s": "age in seconds of the oldest pending outbox row",
        "idempotency": "the consumer's declared idempotency strategy: unique-key, version-column, none, "
        "or 'not declared'",
        "unique_key_enforced": "unique-key: whether the column is a primary key or has a unique constraint or index",
    },
    context={
        "outbox_table": "the declared outbox table",
        "outbox_env": "the environment variable with the outbox database URL",
        "outbox_threshold_s": "the declared threshold in seconds",
        "outbox_missing_column_names": "the missing outbox columns",
        "unique_key": "the declared unique-key table.column",
        "group": "the consumer's group id",
        "unique_key_problem": "why the unique key is not enforced",
    },
    build=service_subjects,
)
