"""Client property names: librdkafka's aliases, kafka-python's keyword names, and roles.

Settings are keyed by the Java client's property names so facts and rules see one vocabulary.
Which keys show a file is a producer's or a consumer's, and which keys only librdkafka uses,
also live here.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.model import Role

# librdkafka name or alias -> the Java client's name (CONFIGURATION.md "alias for").
LIBRDKAFKA_ALIASES = {
    "request.required.acks": "acks",
    "message.send.max.retries": "retries",
    "max.in.flight": "max.in.flight.requests.per.connection",
    "message.timeout.ms": "delivery.timeout.ms",
    "queue.buffering.max.ms": "linger.ms",
    "sasl.mechanisms": "sasl.mechanism",
    "metadata.broker.list": "bootstrap.servers",
    "auto.commit.enable": "enable.auto.commit",
}

# Keys only librdkafka (and confluent-kafka-*) reads: their presence tells the library.
LIBRDKAFKA_ONLY = frozenset(LIBRDKAFKA_ALIASES) | {
    "enable.auto.offset.store",
    "default.topic.config",
    "queue.buffering.max.messages",
    "queue.buffering.max.kbytes",
    "batch.num.messages",
    "compression.codec",
    "enable.partition.eof",
    "enable.gapless.guarantee",
    "queued.min.messages",
    "queued.max.messages.kbytes",
    "fetch.wait.max.ms",
    "topic.metadata.refresh.interval.ms",
    "socket.keepalive.enable",
    "statistics.interval.ms",
    "api.version.request",
    "broker.version.fallback",
    "debug",
    "log_level",
    "enable.ssl.certificate.verification",
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
}
LIBRDKAFKA_RESET_VALUES = frozenset({"smallest", "largest", "beginning", "end", "error"})

PRODUCER_KEYS = frozenset(
    {
        "acks",
        "retries",
        "enable.idempotence",
        "max.in.flight.requests.per.connection",
        "delivery.timeout.ms",
        "linger.ms",
        "batch.size",
        "buffer.memory",
        "compression.type",
        "compression.codec",
        "key.serializer",
        "value.serializer",
        "transactional.id",
        "transaction.timeout.ms",
        "partitioner.class",
        "partitioner",
        "max.block.ms",
        "max.request.size",
        "batch.num.messages",
        "queue.buffering.max.messages",
        "queue.buffering.max.kbytes",
        "enable.gapless.guarantee",
    }
)
CONSUMER_KEYS = frozenset(
    {
        "group.id",
        "group.instance.id",
        "group.protocol",
        "enable.auto.commit",
        "enable.auto.offset.store",
        "auto.commit.interval.ms",
        "auto.offset.reset",
        "isolation.level",
        "key.deserializer",
        "value.deserializer",
        "max.poll.records",
        "max.poll.interval.ms",
        "session.timeout.ms",
        "heartbeat.interval.ms",
        "fetch.min.bytes",
        "fetch.max.bytes",
        "fetch.max.wait.ms",
        "fetch.wait.max.ms",
        "max.partition.fetch.bytes",
        "partition.assignment.strategy",
        "allow.auto.create.topics",
        "enable.partition.eof",
        "queued.min.messages",
        "check.crcs",
        "spring.kafka.listener.ack-mode",
    }
)
KNOWN_CLIENT_KEYS = PRODUCER_KEYS | CONSUMER_KEYS | {"bootstrap.servers", "client.id", "security.protocol"}


def java_name(key: str, library: str) -> str:
    """The Java client's name for a key as this library spells it."""
    if library == "librdkafka":
        return LIBRDKAFKA_ALIASES.get(key, key)
    if library in ("kafka-python", "aiokafka"):
        return key.replace("_", ".")
    return key


def roles_of(keys: Iterable[str]) -> frozenset[Role]:
    """producer and/or consumer, by the Java-named keys a configuration sets."""
    names = set(keys)
    roles: set[Role] = set()
    if names & PRODUCER_KEYS:
        roles.add(Role.PRODUCER)
    if names & CONSUMER_KEYS:
        roles.add(Role.CONSUMER)
    return frozenset(roles)


def looks_librdkafka(keys: Iterable[str], reset_value: str | None = None) -> bool:
    if reset_value is not None and reset_value.strip().lower() in LIBRDKAFKA_RESET_VALUES:
        return True
    return any(key in LIBRDKAFKA_ONLY for key in keys)


def looks_python(keys: Iterable[str]) -> bool:
    """snake_case Kafka names (bootstrap_servers, enable_idempotence) are kafka-python kwargs."""
    names = list(keys)
    return bool(names) and any(
        "_" in k and "." not in k and java_name(k, "kafka-python") in KNOWN_CLIENT_KEYS for k in names
    )
