"""Spring Boot's typed Kafka client properties: spring.kafka.producer.<name> and
spring.kafka.consumer.<name> (KafkaProperties.Producer / .Consumer), each to the Java client key it
sets. Every other client key goes through spring.kafka.<role>.properties.<key>.

Read by the Spring file reader (which compares names without separators, as relaxed binding
does) and by the fixes, which name the property a Spring user writes."""

from __future__ import annotations

from collections.abc import Mapping

from auditor.model import Role

TYPED: Mapping[Role, Mapping[str, str]] = {
    Role.PRODUCER: {
        "acks": "acks",
        "retries": "retries",
        "batch-size": "batch.size",
        "buffer-memory": "buffer.memory",
        "compression-type": "compression.type",
        "key-serializer": "key.serializer",
        "value-serializer": "value.serializer",
        "client-id": "client.id",
        "transaction-id-prefix": "transactional.id",
        "bootstrap-servers": "bootstrap.servers",
    },
    Role.CONSUMER: {
        "enable-auto-commit": "enable.auto.commit",
        "auto-offset-reset": "auto.offset.reset",
        "isolation-level": "isolation.level",
        "group-id": "group.id",
        "auto-commit-interval": "auto.commit.interval.ms",
        "fetch-max-wait": "fetch.max.wait.ms",
        "fetch-min-size": "fetch.min.bytes",
        "heartbeat-interval": "heartbeat.interval.ms",
        "max-poll-records": "max.poll.records",
        "max-poll-interval": "max.poll.interval.ms",
        "key-deserializer": "key.deserializer",
        "value-deserializer": "value.deserializer",
        "client-id": "client.id",
        "bootstrap-servers": "bootstrap.servers",
    },
}


def spring_property(role: Role, key: str) -> str:
    """The Spring Boot property that sets a Java client key: typed where Spring has one
    (spring.kafka.producer.acks), else the pass-through map (spring.kafka.producer.properties.enable.idempotence)."""
    typed = {java: name for name, java in TYPED[role].items()}
    section = f"spring.kafka.{role.value}"
    return f"{section}.{typed[key]}" if key in typed else f"{section}.properties.{key}"
