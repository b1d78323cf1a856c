"""Kotlin clients in code (kafka-clients, Spring Kafka factories and @KafkaListener): PRD/CON pass, fail, unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.model import Estate
from auditor.sources.code.listeners import LISTENER_ACK_KEY as LISTENER_ACK
from auditor.sources.files import read_paths
from tests.code_cases import FIXTURES, cases, constructions, gap_lines, judged


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


def test_kotlin_kafka_listeners_acknowledging_themselves() -> None:
    assert cases("kotlin/OrderListeners.kt") == {
        # line 12: acknowledge() after processing (a log line after it aside), auto-commit off: passes
        (20, "CON001", "fail", 21),  # acknowledge() first, then processing
        (27, "CON001", "fail", 28),  # acknowledge() in a finally block: a failed refund is committed too
        (37, "CON001", "unknown", 37),  # acknowledges last, but its consumer settings are elsewhere
        (37, "CON002", "unknown", 37),
        (37, "CON003", "unknown", 37),
        (43, "CON001", "unknown", 43),  # ack?.acknowledge() in a lambda: when it runs is not known
        (49, "CON001", "fail", 49),  # enable.auto.commit=true (arrayOf) commits on poll, whatever acknowledge() does
        (49, "CON003", "fail", 49),
    }
    # a listener without an Acknowledgment is its container factory's (judged where that is configured)
    assert sorted(constructions("kotlin/OrderListeners.kt")) == [12, 20, 27, 37, 43, 49]


def test_where_the_kotlin_listener_acknowledges_is_said() -> None:
    found, findings = judged("kotlin/OrderListeners.kt")
    last = next(c for c in found.clients if c.line == 12)
    assert (last.settings["spring.kafka.listener.acknowledge"].value, last.settings["group.id"].value) == (
        "after-processing",
        "orders",
    )
    first = next(c for c in found.clients if c.line == 20)
    acknowledged = first.settings["spring.kafka.listener.acknowledge"]
    assert (acknowledged.value, acknowledged.line) == ("before-processing", 23)
    assert first.settings["spring.kafka.listener.ack-mode"].value == "MANUAL"  # what an Acknowledgment needs
    assert first.names == ("acknowledgeFirst", "OrderListeners")
    callback = next(f for f in findings if f.rule_id == "CON001" and f.location and f.location.line == 43)
    assert "acknowledge() is called in a callback (line 46)" in f"{callback.message}"


def test_kotlin_container_ack_mode_and_listener_apply_to_the_consumer_factory() -> None:
    found, findings = judged("kotlin/ListenerContainerConfig.kt")
    assert findings == []  # auto-commit off, earliest, MANUAL_IMMEDIATE, acknowledges after shipping
    (factory,) = found.clients
    assert (factory.line, factory.library) == (20, "spring")
    mode, acknowledged = factory.settings["spring.kafka.listener.ack-mode"], factory.settings[LISTENER_ACK]
    assert (mode.value, mode.line) == ("MANUAL_IMMEDIATE", 32)  # containerProperties.ackMode = ...
    assert (acknowledged.value, acknowledged.line) == ("after-processing", 38)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            (
                "        shipments.ship(shipment)\n        ack.acknowledge()\n",
                "        ack.acknowledge()\n        shipments.ship(shipment)\n",
            ),
            {("CON001", "fail")},
        ),
        (
            (
                "containerProperties.ackMode = ContainerProperties.AckMode.MANUAL_IMMEDIATE",
                "containerProperties.setAckMode(ContainerProperties.AckMode.MANUAL)",
            ),
            set(),
        ),
        (
            ("ENABLE_AUTO_COMMIT_CONFIG to false", "ENABLE_AUTO_COMMIT_CONFIG to true"),
            {("CON001", "fail"), ("CON003", "fail")},
        ),
    ],
)
def test_kotlin_listener_container_variants(
    tmp_path: Path, change: tuple[str, str], expected: set[tuple[str, str]]
) -> None:
    source = (FIXTURES / "kotlin" / "ListenerContainerConfig.kt").read_text()
    assert change[0] in source
    (tmp_path / "ListenerContainerConfig.kt").write_text(source.replace(*change))
    found = read_paths([str(tmp_path)])
    (factory,) = found.clients
    assert factory.settings["spring.kafka.listener.ack-mode"].value in ("MANUAL", "MANUAL_IMMEDIATE")
    assert {(f.rule_id, f.status.value) for f in judge(Estate(clients=found.clients), load_rules())} == expected


def test_kotlin_kafka_clients_matrix() -> None:
    assert cases("kotlin/PaymentClients.kt") == {
        (21, "PRD004", "fail", 24),  # MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION to a const val 10, idempotent
        (32, "PRD005", "fail", 30),  # delivery.timeout.ms 5000 < request.timeout.ms 30000
        (35, "PRD002", "unknown", 37),  # System.getenv
        (35, "PRD003", "unknown", 38),  # idempotence by default unless the unknown in-flight disables it
        (35, "PRD004", "unknown", 38),
        (35, "PRD005", "unknown", 39),
        (43, "PRD001", "unknown", 43),  # KafkaProducer(loaded): a constructor property
        (43, "PRD002", "unknown", 43),
        (43, "PRD003", "unknown", 43),
        (43, "PRD004", "unknown", 43),
        (43, "PRD005", "unknown", 43),
        (49, "CON001", "fail", 49),  # kafka-clients' default auto-commit
        (49, "CON002", "fail", 48),  # AUTO_OFFSET_RESET_CONFIG "latest"
        (52, "CON001", "unknown", 54),
        (52, "CON002", "unknown", 55),
    }
    assert constructions("kotlin/PaymentClients.kt")[18] == ("producer", "java")  # idempotent, acks all: passes
    assert gap_lines("kotlin/PaymentClients.kt") == {61}  # configs.map(::KafkaConsumer): not followed, not skipped
    _, findings = judged("kotlin/PaymentClients.kt")
    con001 = next(f for f in findings if f.rule_id == "CON001" and f.status.value == "fail")
    assert con001.actual_source == "default of Java kafka-clients >=3.2,<4.0 (assumed)"


def test_kotlin_spring_producer_factories() -> None:
    assert cases("kotlin/KafkaProducerConfig.kt") == {
        (14, "PRD001", "fail", 18),  # producerConfigs() = mapOf<String, Any>(... ACKS_CONFIG to "1")
        (14, "PRD002", "fail", 19),
        (14, "PRD003", "fail", 18),  # Spring Boot 3's kafka-clients: idempotence dropped by acks=1
        (28, "PRD004", "fail", 31),  # enable.idempotence "true" with 10 in flight
        (28, "PRD005", "fail", 32),  # delivery.timeout.ms 10000 < request.timeout.ms 30000
        (38, "PRD001", "unknown", 40),  # System.getenv
        (38, "PRD002", "unknown", 41),
        (38, "PRD003", "unknown", 40),
        (38, "PRD004", "unknown", 42),
        (38, "PRD005", "unknown", 43),
    }
    assert constructions("kotlin/KafkaProducerConfig.kt")[23] == ("producer", "spring")  # idempotent: passes
