"""Kotlin clients in code (kafka-clients, Spring Kafka): PRD/CON pass, fail, unknown."""

from __future__ import annotations

from tests.code_cases import cases, constructions


def test_kotlin_maps_properties_and_factories() -> None:
    assert cases("kotlin/KafkaConfig.kt") == {
        (21, "PRD001", "fail", 20),  # props[ProducerConfig.ACKS_CONFIG] = a const val "1"
        (21, "PRD003", "fail", 20),
        (24, "PRD002", "fail", 26),  # Properties().apply { put(RETRIES_CONFIG, 0) }
        (24, "PRD003", "fail", 26),
        (31, "PRD001", "unknown", 31),  # System.getenv
        (31, "PRD003", "unknown", 31),
        (39, "CON001", "fail", 35),  # consumerConfigs() = mapOf(... ENABLE_AUTO_COMMIT_CONFIG to true)
        (39, "CON002", "fail", 39),
        (39, "CON003", "fail", 35),  # props.ackMode = AckMode.MANUAL while auto-commit is on
    }
    assert constructions("kotlin/KafkaConfig.kt")[46] == ("consumer", "java")  # auto-commit off, earliest: passes
