"""Python clients in code (kafka-python, aiokafka, confluent-kafka): every PRD/CON rule pass, fail, unknown."""

from __future__ import annotations

from tests.code_cases import cases, constructions, gap_lines, judged


def test_kafka_python_findings_at_their_lines() -> None:
    assert cases("python/publisher.py") == {
        (13, "PRD001", "fail", 15),  # acks=LEADER_ONLY, a module constant
        (13, "PRD003", "fail", 15),  # the default idempotence silently dropped by acks=1
        (26, "PRD002", "fail", 24),  # retries 0 in a dict passed as **settings
        (26, "PRD003", "fail", 24),
        (26, "PRD005", "fail", 25),  # settings["delivery_timeout_ms"] = 1000
        (30, "PRD004", "fail", 30),
        (34, "PRD001", "unknown", 34),  # os.environ
        (34, "PRD003", "unknown", 34),
        (42, "CON001", "fail", 42),  # defaults: auto-commit on, latest
        (42, "CON002", "fail", 42),
        (50, "CON001", "unknown", 50),  # **config from a parameter: nothing omitted is a default
        (50, "CON002", "unknown", 50),
    }
    # 38 (the defaults of kafka-python 3.x) and 46 (no auto-commit, earliest) pass every rule
    assert constructions("python/publisher.py")[38] == ("producer", "kafka-python")
    assert constructions("python/publisher.py")[46] == ("consumer", "kafka-python")


def test_default_provenance_names_library_and_construction_line() -> None:
    _, findings = judged("python/publisher.py")
    con002 = next(f for f in findings if f.rule_id == "CON002" and f.status.value == "fail")
    assert con002.actual_source == "default of kafka-python >=3.0 (assumed)"
    assert con002.location is not None
    snippet = 'return KafkaConsumer("orders", group_id="billing", bootstrap_servers="kafka:9092")'
    assert con002.location.snippet == snippet
    prd001 = next(f for f in findings if f.rule_id == "PRD001" and f.status.value == "fail")
    assert prd001.location is not None and prd001.location.snippet == "acks=LEADER_ONLY,"


def test_unknown_says_why() -> None:
    _, findings = judged("python/publisher.py")
    unknown = {f.rule_id: f.actual_source or "" for f in findings if f.location and f.location.line == 34}
    assert "read from the environment: os.environ['KAFKA_ACKS']" in unknown["PRD001"]
    opaque = next(f for f in findings if f.location and f.location.line == 50)
    assert "config (line 50) is not built in this file" in (opaque.actual_source or "")


def test_construction_not_followed_is_a_gap() -> None:
    assert gap_lines("python/publisher.py") == {56}


def test_confluent_kafka() -> None:
    assert cases("python/confluent_service.py") == {
        (10, "PRD001", "fail", 9),
        (10, "PRD003", "fail", 10),  # librdkafka: idempotence off by default
        (31, "CON001", "fail", 31),
        (31, "CON002", "fail", 31),
    }
    assert constructions("python/confluent_service.py") == {
        10: ("producer", "librdkafka"),
        16: ("producer", "librdkafka"),  # conf.update({"enable.idempotence": True}): passes
        27: ("consumer", "librdkafka"),  # enable.auto.offset.store False, earliest: passes
        31: ("consumer", "librdkafka"),
    }


def test_aiokafka() -> None:
    assert cases("python/aio_service.py") == {
        (7, "PRD001", "fail", 7),  # aiokafka's default acks=1
        (7, "PRD003", "fail", 7),
        (27, "PRD001", "unknown", 27),  # AIOKafkaProducer(**config): config from the caller
        (27, "PRD002", "unknown", 27),
        (27, "PRD003", "unknown", 27),
        (27, "PRD004", "unknown", 27),
        (27, "PRD005", "unknown", 27),
        (33, "PRD003", "unknown", 34),  # enable_idempotence from os.environ (acks="all" passes)
    }
    assert constructions("python/aio_service.py")[16] == ("consumer", "aiokafka")


def test_tuned_environment_and_injected_clients() -> None:
    """aiokafka, kafka-python and confluent-kafka: what the first fixtures leave unproven."""
    assert cases("python/tuned_clients.py") == {
        (16, "PRD001", "unknown", 16),  # aiokafka acks from os.environ
        (16, "PRD003", "fail", 16),  # aiokafka: not idempotent by default
        (20, "CON001", "fail", 20),  # aiokafka defaults: auto-commit on, latest
        (20, "CON002", "fail", 20),
        (24, "CON001", "unknown", 24),  # **settings from a parameter
        (24, "CON002", "unknown", 24),
        (28, "PRD002", "unknown", 30),  # kafka-python retries, in-flight, delivery timeout from os.environ
        (28, "PRD003", "unknown", 31),  # the default idempotence holds unless in-flight > 5, unknown
        (28, "PRD004", "unknown", 31),
        (28, "PRD005", "unknown", 32),
        (37, "PRD002", "fail", 37),  # confluent-kafka retries 0
        (37, "PRD003", "fail", 37),
        (49, "PRD004", "fail", 44),  # idempotence with 10 requests in flight
        (49, "PRD005", "fail", 45),  # delivery.timeout.ms 1000 < linger.ms 500 + request.timeout.ms 30000
        (53, "PRD001", "unknown", 56),  # every delivery setting from the environment
        (53, "PRD002", "unknown", 58),
        (53, "PRD003", "unknown", 57),
        (53, "PRD004", "unknown", 59),
        (53, "PRD005", "unknown", 60),
        (66, "CON001", "unknown", 70),
        (66, "CON002", "unknown", 71),
    }
    built = constructions("python/tuned_clients.py")
    assert built[12] == ("producer", "aiokafka")  # enable_idempotence=True (acks=all forced): passes
