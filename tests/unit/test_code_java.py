"""Java clients in code (kafka-clients, Spring Kafka factories): every PRD/CON rule pass, fail, unknown."""

from __future__ import annotations

from pathlib import Path

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.model import Estate
from auditor.sources.files import read_paths
from tests.code_cases import FIXTURES, cases, constructions, judged


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


def test_kafka_listeners_acknowledging_themselves() -> None:
    assert cases("java/OrderListeners.java") == {
        # line 17: acknowledge() last (a log line after it aside), auto-commit off: commits after processing
        (25, "CON001", "fail", 26),  # acknowledge() first, then processing
        (32, "CON001", "fail", 33),  # acknowledge() in a finally block: a failed refund is committed too
        (42, "CON001", "unknown", 42),  # acknowledges last, but its consumer settings are elsewhere
        (42, "CON002", "unknown", 42),
        (42, "CON003", "unknown", 42),
        (48, "CON001", "unknown", 48),  # the Acknowledgment is handed to another method
        (53, "CON001", "fail", 53),  # enable.auto.commit=true commits on poll, whatever acknowledge() does
        (53, "CON003", "fail", 53),
    }
    # a listener without an Acknowledgment is its container factory's (judged where that is configured)
    assert sorted(constructions("java/OrderListeners.java")) == [17, 25, 32, 42, 48, 53]


def test_where_the_listener_acknowledges_is_said() -> None:
    found, findings = judged("java/OrderListeners.java")
    first = next(c for c in found.clients if c.line == 25)
    acknowledged = first.settings["spring.kafka.listener.acknowledge"]
    assert (acknowledged.value, acknowledged.line) == ("before-processing", 28)
    assert acknowledged.detail is not None and "before processing" in acknowledged.detail
    assert first.settings["spring.kafka.listener.ack-mode"].value == "MANUAL"  # what an Acknowledgment needs
    assert first.names == ("acknowledgeFirst", "OrderListeners")
    handed = next(f for f in findings if f.rule_id == "CON001" and f.location and f.location.line == 48)
    assert "never calls ack.acknowledge() itself" in f"{handed.message}"


def test_a_listener_acknowledgement_applies_to_the_files_consumer_factory(tmp_path: Path) -> None:
    source = (FIXTURES / "java" / "KafkaConsumerConfig.java").read_text()
    source = source.replace("ENABLE_AUTO_COMMIT_CONFIG, true", "ENABLE_AUTO_COMMIT_CONFIG, false")
    listener = (
        '    @KafkaListener(topics = "billing")\n'
        "    public void listen(String bill, Acknowledgment ack) {\n"
        "        ack.acknowledge();\n"
        "        bill(bill);\n"
        "    }\n}\n"
    )
    source = source.rstrip().removesuffix("}") + listener
    (tmp_path / "BillingConfig.java").write_text(source)
    factory = next(c for c in read_paths([str(tmp_path)]).clients if c.library == "spring")
    assert factory.line == 35 and factory.settings["spring.kafka.listener.acknowledge"].value == "before-processing"
    judged_cases = {(f.rule_id, f.status.value) for f in judge(Estate(clients=(factory,)), load_rules())}
    assert ("CON001", "fail") in judged_cases  # setAckMode(MANUAL_IMMEDIATE) and the listener acknowledges first


def test_spring_producer_factories() -> None:
    assert cases("java/KafkaProducerConfig.java") == {
        (33, "PRD001", "fail", 26),  # acks "1" in the producerConfigs() bean
        (33, "PRD002", "fail", 27),
        (33, "PRD003", "fail", 26),  # Spring Boot 3's kafka-clients: idempotence dropped by acks=1
        (52, "PRD004", "fail", 49),
        (52, "PRD005", "fail", 50),  # delivery.timeout.ms 10000 < linger.ms + request.timeout.ms 30000
        (62, "PRD001", "unknown", 58),  # System.getenv
        (62, "PRD002", "unknown", 59),  # @Value-injected
        (62, "PRD003", "unknown", 58),
        (62, "PRD004", "unknown", 60),
        (62, "PRD005", "unknown", 61),
    }
    assert constructions("java/KafkaProducerConfig.java")[42] == ("producer", "spring")  # idempotent: passes
    _, findings = judged("java/KafkaProducerConfig.java")
    prd003 = next(f for f in findings if f.rule_id == "PRD003" and f.status.value == "fail")
    assert (prd003.actual_source or "").startswith("default of Spring Boot >=3.0,<4.0 (assumed)")


def test_consumers_from_the_environment_and_a_spring_factory() -> None:
    assert cases("java/OrderConsumers.java") == {
        (23, "CON001", "unknown", 21),  # setProperty("enable.auto.commit", System.getenv(...))
        (23, "CON002", "unknown", 22),
        (33, "CON002", "fail", 36),  # Map.of(... AUTO_OFFSET_RESET_CONFIG, "latest"); Spring turns auto-commit off
    }
    assert constructions("java/OrderConsumers.java") == {23: ("consumer", "java"), 33: ("consumer", "spring")}
