"""Go clients in code (sarama, franz-go, segmentio/kafka-go, confluent-kafka-go): PRD/CON pass, fail, unknown."""

from __future__ import annotations

from tests.code_cases import cases, constructions, judged


def test_sarama() -> None:
    assert cases("go/sarama_service.go") == {
        (16, "PRD001", "fail", 14),  # sarama.WaitForLocal
        (16, "PRD002", "fail", 15),  # Producer.Retry.Max = 0
        (16, "PRD003", "fail", 16),  # sarama is not idempotent by default
        (37, "PRD001", "fail", 37),  # sarama.NewConfig() inline: sarama's defaults (WaitForLocal)
        (37, "PRD003", "fail", 37),
        (44, "CON002", "unknown", 42),  # Offsets.Initial from a parameter
        (49, "CON002", "fail", 49),  # OffsetNewest by default
        (53, "PRD001", "unknown", 53),  # *sarama.Config from a parameter
        (53, "PRD002", "unknown", 53),
        (53, "PRD003", "unknown", 53),
        (53, "PRD004", "unknown", 53),
    }
    built = constructions("go/sarama_service.go")
    assert built[29] == ("producer", "sarama")  # WaitForAll + Idempotent + MaxOpenRequests 1: passes
    assert built[59] == ("consumer", "sarama")  # OffsetOldest: passes


def test_default_provenance_is_sarama() -> None:
    _, findings = judged("go/sarama_service.go")
    prd001 = next(f for f in findings if f.rule_id == "PRD001" and f.location and f.location.line == 37)
    assert prd001.actual == "1"
    # the version go.mod pins, and where
    assert prd001.actual_source == "default of sarama 1.43.0 (tests/fixtures/code/go/go.mod:6)"


def test_kafka_go() -> None:
    assert cases("go/kafkago_service.go") == {
        (12, "PRD001", "fail", 12),  # Writer{} waits for nothing: acks=0
        (12, "PRD003", "fail", 12),
        (21, "PRD003", "fail", 21),  # kafka-go has no idempotent producer
        (25, "CON001", "fail", 32),  # ReadMessage commits before processing
        (25, "CON002", "fail", 29),  # StartOffset: kafka.LastOffset
    }
    _, findings = judged("go/kafkago_service.go")
    assert next(f for f in findings if f.rule_id == "PRD001").severity.value == "critical"


def test_franz_go() -> None:
    assert cases("go/franz_service.go") == {
        (13, "PRD001", "fail", 10),  # kgo.RequiredAcks(kgo.LeaderAck())
        (13, "PRD003", "fail", 12),  # appended kgo.DisableIdempotentWrite()
        (17, "CON002", "fail", 21),  # ConsumeResetOffset(NewOffset().AtEnd())
    }
    assert constructions("go/franz_service.go") == {13: ("producer", "franz-go"), 17: ("consumer", "franz-go")}


def test_confluent_kafka_go() -> None:
    assert cases("go/confluent_service.go") == {(7, "PRD001", "fail", 7), (7, "PRD003", "fail", 7)}
    assert constructions("go/confluent_service.go")[17] == ("consumer", "librdkafka")  # SetKey auto-commit off
