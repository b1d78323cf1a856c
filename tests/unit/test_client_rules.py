"""The producer and consumer rules (PRD001-PRD005, CON001-CON003) over client defaults: one line per case."""

from __future__ import annotations

import pytest

from auditor.model import ClientConfig
from tests.client_builders import client, judge_clients

Case = tuple[str, str, str, int | None]  # rule, severity, status, line


def findings_of(config: ClientConfig) -> set[Case]:
    return {
        (f.rule_id, f.severity.value, f.status.value, f.location.line if f.location else None)
        for f in judge_clients(config)
    }


PRODUCER = ("producer",)
CONSUMER = ("consumer",)
SAFE_CONSUMER = {"enable_auto_commit": "false", "auto_offset_reset": "earliest"}

CASES: list[tuple[str, ClientConfig, set[Case]]] = [
    # --- producer: Java 3.x assumed
    ("java-defaults-clean", client(roles=PRODUCER), set()),
    (
        "java-acks-1-silently-drops-idempotence",
        client(roles=PRODUCER, acks="1"),
        {("PRD001", "high", "fail", 1), ("PRD003", "high", "fail", 1)},
    ),
    (
        "java-acks-0-critical",
        client(roles=PRODUCER, acks="0"),
        {("PRD001", "critical", "fail", 1), ("PRD003", "high", "fail", 1)},
    ),
    ("java-acks-minus-1-is-all", client(roles=PRODUCER, acks=" -1 "), set()),
    (
        "java-acks-1-explicit-idempotence-keeps-it",
        client(roles=PRODUCER, acks="1", enable_idempotence="true"),
        {("PRD001", "high", "fail", 1)},
    ),
    (
        "java-retries-0",
        client(roles=PRODUCER, retries="0"),
        {("PRD002", "high", "fail", 1), ("PRD003", "high", "fail", 1)},
    ),
    (
        "java-in-flight-6-silently-drops-idempotence",
        client(roles=PRODUCER, max_in_flight_requests_per_connection="6"),
        {("PRD003", "high", "fail", 1)},
    ),
    (
        "java4-in-flight-6-is-idempotent-error",
        client(version="4.1.0", roles=PRODUCER, max_in_flight_requests_per_connection="6"),
        {("PRD004", "high", "fail", 1)},
    ),
    (
        "java-explicit-idempotence-in-flight-6",
        client(roles=PRODUCER, enable_idempotence="TRUE", max_in_flight_requests_per_connection="6"),
        {("PRD004", "high", "fail", 2)},
    ),
    ("java-idempotence-off", client(roles=PRODUCER, enable_idempotence="false"), {("PRD003", "high", "fail", 1)}),
    (
        "java-delivery-timeout-short",
        client(roles=PRODUCER, delivery_timeout_ms="1000"),
        {("PRD005", "medium", "fail", 1)},
    ),
    ("java-delivery-timeout-ok", client(roles=PRODUCER, delivery_timeout_ms="40000", linger_ms="10"), set()),
    (
        "java-2.8-defaults",
        client(version="2.8.2", roles=PRODUCER),
        {("PRD001", "high", "fail", None), ("PRD003", "high", "fail", None)},
    ),
    ("java-3.0.0-kafka-13598", client(version="3.0.0", roles=PRODUCER), {("PRD003", "high", "fail", None)}),
    (
        "java-acks-placeholder-unknown",
        client(roles=PRODUCER, acks=None),
        {("PRD001", "high", "unknown", 1), ("PRD003", "high", "unknown", 1)},
    ),
    # --- producer: librdkafka
    ("librdkafka-defaults-not-idempotent", client("librdkafka", roles=PRODUCER), {("PRD003", "high", "fail", None)}),
    ("librdkafka-idempotent-clean", client("librdkafka", roles=PRODUCER, enable_idempotence="true"), set()),
    ("librdkafka-transactional-is-idempotent", client("librdkafka", roles=PRODUCER, transactional_id="tx-1"), set()),
    (
        "librdkafka-idempotent-in-flight-forced-5",
        client("librdkafka", roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection="10"),
        {("PRD004", "high", "fail", 2)},
    ),
    # --- producer: kafka-python, aiokafka
    (
        "kafka-python-3-acks-1",
        client("kafka-python", roles=PRODUCER, acks="1"),
        {("PRD001", "high", "fail", 1), ("PRD003", "high", "fail", 1)},
    ),
    (
        "kafka-python-2.0-defaults",
        client("kafka-python", version="2.0.2", roles=PRODUCER),
        {("PRD001", "high", "fail", None), ("PRD002", "high", "fail", None), ("PRD003", "high", "fail", None)},
    ),
    ("aiokafka-idempotent-acks-forced-all", client("aiokafka", roles=PRODUCER, enable_idempotence="true"), set()),
    # --- consumer
    (
        "java-consumer-defaults",
        client(roles=CONSUMER),
        {("CON001", "high", "fail", None), ("CON002", "medium", "fail", None)},
    ),
    ("java-consumer-safe", client(roles=CONSUMER, **SAFE_CONSUMER), set()),
    (
        "java-consumer-auto-commit-true",
        client(roles=CONSUMER, enable_auto_commit=" True ", auto_offset_reset="earliest"),
        {("CON001", "high", "fail", 1)},
    ),
    (
        "librdkafka-store-false-is-commit-after-processing",
        client("librdkafka", roles=CONSUMER, enable_auto_offset_store="false", auto_offset_reset="smallest"),
        set(),
    ),
    (
        "librdkafka-largest-alias",
        client("librdkafka", roles=CONSUMER, enable_auto_commit="false", auto_offset_reset="largest"),
        {("CON002", "medium", "fail", 2)},
    ),
    (
        "librdkafka-store-unknown",
        client("librdkafka", roles=CONSUMER, enable_auto_offset_store=None, auto_offset_reset="earliest"),
        {("CON001", "high", "unknown", None)},
    ),
    ("spring-forces-auto-commit-off", client("spring", roles=CONSUMER, auto_offset_reset="earliest"), set()),
    (
        "spring-ack-mode-with-auto-commit",
        client(
            "spring",
            roles=CONSUMER,
            enable_auto_commit="true",
            ack_mode="manual_immediate",
            auto_offset_reset="earliest",
        ),
        {("CON001", "high", "fail", 1), ("CON003", "medium", "fail", 1)},
    ),
    ("spring-ack-mode-alone", client("spring", roles=CONSUMER, ack_mode="record", auto_offset_reset="earliest"), set()),
]


@pytest.mark.parametrize(("config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_client_rules(config: ClientConfig, expected: set[Case]) -> None:
    assert findings_of(config) == expected


def test_default_finding_names_client_and_version_and_has_no_line() -> None:
    (acks, _idem) = sorted(judge_clients(client(version="2.8.2", roles=PRODUCER)), key=lambda f: f.rule_id)
    assert acks.actual_source == "client default: default of Java kafka-clients 2.8.2"
    assert "default of Java kafka-clients 2.8.2" in acks.message
    assert acks.location is not None and acks.location.line is None and acks.location.path == "app/client.properties"
    assert (acks.resource.kind, acks.resource.name) == ("producer", "app/client.properties")


def test_assumed_version_says_so() -> None:
    (finding,) = judge_clients(client(roles=PRODUCER, enable_idempotence="false"))
    assert finding.actual_source == "file (app/client.properties:1)"
    (reset, _) = sorted(judge_clients(client(roles=CONSUMER)), key=lambda f: f.rule_id, reverse=True)
    assert "default of Java kafka-clients >=3.2,<4.0 (assumed)" in reset.message


def test_silent_fallback_names_its_cause() -> None:
    idem = next(f for f in judge_clients(client(roles=PRODUCER, acks="1")) if f.rule_id == "PRD003")
    assert "silently disabled by acks=1" in idem.message
