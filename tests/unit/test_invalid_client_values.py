"""A value that is set but cannot be interpreted is unknown and says why, never the default:
`acks: ["0"]`, `acks=banana`, `retries=many`, and a .json file that is not JSON.

The files follow confluent-kafka-python's config dicts (examples/producer.py: bootstrap.servers
and librdkafka property names) and Kafka's config/producer.properties.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.facts.clients import parse_acks


def _audit(folder: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    (folder / name).write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "auditor", "audit", name, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )


def _finding(done: subprocess.CompletedProcess[str], rule: str) -> dict[str, Any]:
    return next(f for f in json.loads(done.stdout)["findings"] if f["rule_id"] == rule)


@pytest.mark.parametrize(
    ("name", "text", "source"),
    [
        ("producer.yaml", 'bootstrap.servers: kafka:9092\nacks: ["0"]\n', "a list, not one value"),
        ("producer.yaml", "bootstrap.servers: kafka:9092\nacks: {level: all}\n", "a mapping, not one value"),
        ("producer.json", '{"bootstrap.servers": "kafka:9092", "acks": ["0"]}', "a list, not one value"),
        ("producer.properties", "bootstrap.servers=kafka:9092\nacks=banana\n", "'banana' is not a valid acks"),
        ("producer.properties", "bootstrap.servers=kafka:9092\nacks= 2\n", "'2' is not a valid acks"),
    ],
)
def test_unreadable_acks_is_unknown_not_the_default(tmp_path: Path, name: str, text: str, source: str) -> None:
    done = _audit(tmp_path, name, text)
    assert done.returncode == 1, done.stdout + done.stderr
    acks = _finding(done, "PRD001")
    assert acks["status"] == "unknown"
    assert source in acks["actual_source"]
    assert f"{name}:" in acks["actual_source"]


def test_invalid_number_says_the_client_refuses_it(tmp_path: Path) -> None:
    done = _audit(tmp_path, "producer.properties", "bootstrap.servers=kafka:9092\nacks=all\nretries=many\n")
    assert done.returncode == 1
    retries = _finding(done, "PRD002")
    assert retries["status"] == "unknown"
    assert "'many' is not a valid retries: Java kafka-clients" in retries["actual_source"]
    assert "refuses to start" in retries["actual_source"]


@pytest.mark.parametrize(
    "text",
    [
        '{"bootstrap.servers": "kafka:9092", acks: "0"}',  # YAML flow mapping, not JSON
        '{"bootstrap.servers": "kafka:9092", "acks": "all",}',
        '# a comment\n{"bootstrap.servers": "kafka:9092"}',
        "[" * 100_000,
    ],
)
def test_json_file_that_is_not_json_is_exit_2(tmp_path: Path, text: str) -> None:
    done = _audit(tmp_path, "producer.json", text)
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith("kafka-audit: error: producer.json"), done.stderr
    assert "invalid JSON" in done.stderr
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize(("raw", "parsed"), [("all", "all"), ("-1", "all"), (" ALL ", "all"), ("1", "1"), ("0", "0")])
def test_acks_values_kafka_accepts(raw: str, parsed: str) -> None:
    assert parse_acks(raw) == parsed


@pytest.mark.parametrize("raw", ["banana", "2", "", "all,1", "-2"])
def test_acks_values_kafka_rejects_are_unknown(raw: str) -> None:
    assert parse_acks(raw) is None
