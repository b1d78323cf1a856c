"""PRD004 tells a producer that never starts from one that reorders: Java kafka-clients
(ConfigException), librdkafka (rd_kafka_new), sarama (Config.Validate) and franz-go (NewClient)
refuse an idempotent producer above their in-flight limit; kafkajs takes any limit."""

from __future__ import annotations

from auditor.facts.clients import ClientView, in_flight_refused
from auditor.findings import Finding
from auditor.model import ClientConfig, Role
from tests.client_builders import client, judge_clients

PRODUCER = ("producer",)


def prd004(config: ClientConfig) -> list[Finding]:
    return [f for f in judge_clients(config) if f.rule_id == "PRD004"]


def refused(config: ClientConfig) -> object:
    return in_flight_refused(ClientView(config, Role.PRODUCER)).value


def test_explicit_idempotence_above_5_will_not_start_in_java() -> None:
    [finding] = prd004(client(roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection="6"))
    assert finding.status.value == "fail"
    assert finding.severity.value == "medium"  # a deploy that fails loudly, not a silent loss
    assert "will not start" in finding.message
    assert "more than 5 in flight is refused while idempotent" in finding.message
    assert "reorder" not in finding.message and "deduplication" not in finding.message
    assert finding.location is not None and finding.location.line == 2


def test_java_3_default_idempotence_is_dropped_not_refused() -> None:
    config = client(version="3.9.1", roles=PRODUCER, max_in_flight_requests_per_connection="6")
    assert refused(config) is False
    assert {f.rule_id for f in judge_clients(config)} == {"PRD003"}  # idempotence silently off


def test_java_4_refuses_its_default_idempotence_above_5() -> None:
    [finding] = prd004(client(version="4.1.0", roles=PRODUCER, max_in_flight_requests_per_connection="6"))
    assert "will not start" in finding.message


def test_kafkajs_reorders_instead() -> None:
    [finding] = prd004(
        client("kafkajs", roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection="10")
    )
    assert (finding.status.value, finding.severity.value) == ("fail", "high")
    assert "deduplication and ordering" in finding.message and "will not start" not in finding.message


def test_a_limit_the_client_sets_itself_is_accepted() -> None:
    # librdkafka sets max.in.flight 5 for an idempotent producer; franz-go keeps its own 5
    assert refused(client("librdkafka", roles=PRODUCER, enable_idempotence="true")) is False
    assert refused(client("franz-go", roles=PRODUCER)) is False
    assert prd004(client("franz-go", roles=PRODUCER)) == []


def test_sarama_and_franz_go_refuse_more_than_1() -> None:
    assert refused(client("sarama", roles=PRODUCER, acks="all", enable_idempotence="true")) is True
    assert (
        refused(client("sarama", roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection="1"))
        is False
    )
    assert refused(client("franz-go", roles=PRODUCER, max_in_flight_requests_per_connection="2")) is True
    off = client("franz-go", roles=PRODUCER, enable_idempotence="false", max_in_flight_requests_per_connection="10")
    assert refused(off) is False  # DisableIdempotentWrite: the option applies, nothing refused


def test_unknown_in_flight_or_idempotence_is_unknown_never_false() -> None:
    assert (
        refused(client(roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection=None)) is None
    )
    assert refused(client(roles=PRODUCER, enable_idempotence=None, max_in_flight_requests_per_connection="6")) is None
