"""Java clients in code (kafka-clients, Spring Kafka factories): every PRD/CON rule pass, fail, unknown."""

from __future__ import annotations

from tests.code_cases import cases, constructions, judged


def test_kafka_clients_properties() -> None:
    assert cases("java/OrderProducer.java") == {
        (20, "PRD001", "fail", 18),  # ACKS_CONFIG set to a static final "1"
        (20, "PRD003", "fail", 18),  # the default idempotence silently dropped by acks=1
        (27, "PRD002", "fail", 25),  # setProperty("retries", String.valueOf(0))
        (27, "PRD003", "fail", 25),
        (27, "PRD005", "fail", 26),
        (34, "PRD004", "fail", 33),  # MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION (no _CONFIG suffix)
        (40, "PRD001", "unknown", 39),  # System.getenv
        (40, "PRD003", "unknown", 39),
        (50, "PRD001", "unknown", 50),  # Properties from a parameter: nothing omitted is a default
        (50, "PRD002", "unknown", 50),
        (50, "PRD003", "unknown", 50),
        (50, "PRD004", "unknown", 50),
        (50, "PRD005", "unknown", 50),
    }
    assert constructions("java/OrderProducer.java")[46] == ("producer", "java")  # defaults: passes


def test_spring_factory_and_ack_mode() -> None:
    assert cases("java/KafkaConsumerConfig.java") == {
        (35, "CON001", "fail", 28),  # ENABLE_AUTO_COMMIT_CONFIG true in the consumerConfigs() bean
        (35, "CON002", "unknown", 29),  # @Value-injected
        (35, "CON003", "fail", 28),  # setAckMode(MANUAL_IMMEDIATE) while auto-commit is on
        (52, "CON001", "fail", 52),  # kafka-clients defaults
        (52, "CON002", "fail", 52),
    }
    assert constructions("java/KafkaConsumerConfig.java") == {
        35: ("consumer", "spring"),
        47: ("consumer", "java"),  # Map.of(... "enable.auto.commit", "false", ... "earliest"): passes
        52: ("consumer", "java"),
    }


def test_injected_value_says_so() -> None:
    _, findings = judged("java/KafkaConsumerConfig.java")
    con002 = next(f for f in findings if f.rule_id == "CON002" and f.status.value == "unknown")
    assert 'injected by Spring @Value("${kafka.offset-reset}")' in (con002.actual_source or "")
