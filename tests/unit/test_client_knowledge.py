"""The client defaults data: loads, validates, and answers one entry per client and version."""

from __future__ import annotations

import pytest

from auditor.errors import InputError
from auditor.knowledge import client_defaults, defaults_for, known_clients, parse_version

PROBES = ["0.9", "1.0", "1.5.1", "1.5.2", "2.0.2", "2.1", "2.3.2", "2.8.2", "3.0.0", "3.0.1", "3.1.0", "3.1.1", "3.2",
          "3.9.1", "4.0", "4.3.1", "9.0"]  # fmt: skip


def test_ranges_of_a_client_never_overlap() -> None:
    for client in known_clients():
        entries = [e for e in client_defaults() if e.client == client]
        for probe in PROBES:
            version = parse_version(probe)
            assert version is not None
            assert sum(e.covers(version) for e in entries) <= 1, (client, probe)


@pytest.mark.parametrize(
    ("client", "version", "key", "value"),
    [
        ("java", "2.8.2", "acks", "1"),
        ("java", "3.0.0", "enable.idempotence", "false"),  # KAFKA-13598
        ("java", "3.0.1", "enable.idempotence", "true"),
        ("java", "3.9.1", "linger.ms", "0"),
        ("java", "4.1.0", "linger.ms", "5"),
        ("java", "2.0.1", "retries", "0"),
        ("librdkafka", "2.6.0", "enable.idempotence", "false"),
        ("librdkafka", "1.4.0", "retries", "2"),
        ("kafka-python", "2.3.2", "acks", "1"),
        ("kafka-python", None, "acks", "all"),
        ("aiokafka", None, "acks", "1"),
        ("spring", "4.0.1", "linger.ms", "5"),
    ],
)
def test_producer_defaults(client: str, version: str | None, key: str, value: str) -> None:
    assert defaults_for(client, version).producer[key] == value


def test_consumer_defaults_differ_where_the_libraries_do() -> None:
    assert defaults_for("librdkafka", None).consumer["isolation.level"] == "read_committed"
    assert defaults_for("java", None).consumer["isolation.level"] == "read_uncommitted"
    assert defaults_for("spring", None).auto_commit_forced_false
    assert defaults_for("spring", None).ack_mode == "BATCH"


def test_assumed_entries_and_labels() -> None:
    assert defaults_for("java", None).label(None) == "Java kafka-clients >=3.2,<4.0 (assumed)"
    assert defaults_for("java", "3.9.1").label("3.9.1") == "Java kafka-clients 3.9.1"
    boot = defaults_for("spring", "2.2.13.RELEASE")
    assert boot.label("2.2.13.RELEASE", "pom.xml:9") == "Spring Boot 2.2.13.RELEASE (kafka-clients 2.3.x, pom.xml:9)"
    assert (boot.producer["acks"], boot.producer["enable.idempotence"], boot.consumer["enable.auto.commit"]) == (
        "1",
        "false",
        "false",
    )
    assert defaults_for("spring", "2.1.18.RELEASE").consumer["enable.auto.commit"] == "true"  # before spring-kafka 2.3


@pytest.mark.parametrize(
    ("client", "version", "message"),
    [
        ("rdkafka-ruby", None, "no client defaults known for 'rdkafka-ruby'"),
        ("java", "banana", "is not a version number"),
        ("librdkafka", "0.11.6", "no client defaults known for librdkafka 0.11.6"),
    ],
)
def test_unknown_client_or_version(client: str, version: str | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        defaults_for(client, version)
