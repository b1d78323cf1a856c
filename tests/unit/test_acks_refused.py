"""PRD001 tells a producer that never starts from one that loses acknowledged writes: Java
kafka-clients and librdkafka (explicit idempotence), aiokafka, sarama (Config.Validate) and franz-go
(its default idempotence, NewClient) refuse an idempotent producer whose acks is not all; kafkajs
takes it at start and Java drops its default idempotence instead."""

from __future__ import annotations

from auditor.facts.clients import ClientView, acks_refused
from auditor.findings import Finding
from auditor.model import ClientConfig, Role
from tests.client_builders import client, judge_clients

PRODUCER = ("producer",)


def prd001(config: ClientConfig) -> list[Finding]:
    return [f for f in judge_clients(config) if f.rule_id == "PRD001"]


def refused(config: ClientConfig) -> object:
    return acks_refused(ClientView(config, Role.PRODUCER)).value


def test_explicit_idempotence_with_acks_1_will_not_start_in_java() -> None:
    [finding] = prd001(client(roles=PRODUCER, acks="1", enable_idempotence="true"))
    assert (finding.status.value, finding.severity.value) == ("fail", "medium")  # a deploy that fails loudly
    assert finding.message.startswith("Producer ") and "will not start: acks=1" in finding.message
    assert "acks other than all is refused while idempotent" in finding.message
    assert "counts as done" not in finding.message
    assert finding.location is not None and finding.location.line == 1


def test_acks_0_refused_is_not_critical() -> None:
    [finding] = prd001(client("librdkafka", roles=PRODUCER, acks="0", enable_idempotence="true"))
    assert (finding.severity.value, "will not start" in finding.message) == ("medium", True)


def test_default_idempotence_dropped_not_refused_in_java() -> None:
    config = client(version="4.1.0", roles=PRODUCER, acks="1")
    assert refused(config) is False
    [finding] = prd001(config)
    assert finding.severity.value == "high" and "a write counts as done" in finding.message


def test_sarama_refuses_its_own_default_acks_once_idempotent() -> None:
    config = client("sarama", roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection="1")
    [finding] = prd001(config)
    assert "will not start: acks=1" in finding.message and "default of sarama" in finding.message


def test_franz_go_refuses_leader_acks_unless_idempotence_is_disabled() -> None:
    assert refused(client("franz-go", roles=PRODUCER, acks="1")) is True
    assert refused(client("franz-go", roles=PRODUCER, acks="1", enable_idempotence="false")) is False
    assert refused(client("franz-go", roles=PRODUCER)) is False  # AllISRAcks by default


def test_kafkajs_and_kafka_go_take_any_acks_at_start() -> None:
    assert refused(client("kafkajs", roles=PRODUCER, acks="1", enable_idempotence="true")) is False
    assert refused(client("kafka-go", roles=PRODUCER, acks="1")) is False


def test_acks_1_with_unknown_idempotence_says_what_is_unknown() -> None:
    assert refused(client(roles=PRODUCER, acks="1", enable_idempotence=None)) is None
    [finding] = prd001(client(roles=PRODUCER, acks="1", enable_idempotence=None))
    assert (finding.status.value, finding.title) == ("unknown", "Producer may not start, idempotence unknown")
    assert "whether it starts is unknown" in finding.message and finding.actual == "1"


def test_unknown_acks_is_unknown_through_acks() -> None:
    assert refused(client(roles=PRODUCER, acks=None, enable_idempotence="true")) is False
    [finding] = prd001(client(roles=PRODUCER, acks=None, enable_idempotence="true"))
    assert (finding.status.value, finding.title) == ("unknown", "Producer acks unknown")
