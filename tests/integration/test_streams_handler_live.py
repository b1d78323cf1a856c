"""A production exception handler that continues (STR002), on a real Kafka Streams application.

The harness compiles its own small Streams application (scripts/kafka/streams-app: PassThroughApp
copies one topic to another; SkipOnProductionError is a production exception handler returning
Response.resume(), in the shape of the developer guide's IgnoreRecordTooLargeHandler) with javac
against the kafka-streams jars it fetches, and runs it twice against the test cluster: with that
handler, and with Kafka's default. A record larger than their producers' max.request.size is then really lost
by the first (its input offset committed, nothing written) and stops the second. The audit of the
two applications' properties and the handler's source fails STR002 on the first and passes the
second.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from connect_harness import HARNESS_APP_SOURCES, PASS_THROUGH, StreamsApp
from kafka_cluster import Cluster

from tests.report_schema import assert_valid_report

pytestmark = pytest.mark.integration

INPUT = "ph-input"
MAX_REQUEST_BYTES = 1024
RECORDS = [b"small-1", b"x" * 4 * MAX_REQUEST_BYTES, b"small-2"]  # the second is too large for their producers
HANDLER = "io.kafkaaudit.harness.SkipOnProductionError"


def _app(cluster: Cluster, app_id: str, **overrides: str) -> StreamsApp:
    props = {
        "input.topic": INPUT,
        "output.topic": f"{app_id}-output",
        "replication.factor": "3",
        "topic.min.insync.replicas": "2",
        "producer.max.request.size": str(MAX_REQUEST_BYTES),
        **overrides,
    }
    return StreamsApp(cluster.settings, app_id, cluster.bootstrap, props, main=PASS_THROUGH)


def _committed(cluster: Cluster, group: str) -> int | None:
    from kafka.errors import KafkaError
    from kafka.structs import TopicPartition

    admin = cluster.admin_client()
    try:
        offsets = admin.list_group_offsets({group: None}).get(group, {})
    except KafkaError:  # no coordinator yet: the group has not committed
        return None
    finally:
        admin.close()
    found = offsets.get(TopicPartition(INPUT, 0))
    return found.offset if found is not None else None


def _read(cluster: Cluster, topic: str) -> list[bytes]:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic, bootstrap_servers=cluster.bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=5000
    )
    try:
        return [record.value for record in consumer]
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def apps(kafka_cluster: Cluster) -> dict[str, StreamsApp]:
    from kafka import KafkaProducer
    from kafka.admin import NewTopic

    safe = {"min.insync.replicas": "2"}
    admin = kafka_cluster.admin_client()
    try:
        existing = set(admin.list_topics())
        names = (INPUT, "ph-skip-output", "ph-fail-output")
        wanted = [NewTopic(name, 1, 3, topic_configs=safe) for name in names]
        admin.create_topics([t for t in wanted if t.name not in existing])
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=kafka_cluster.bootstrap, acks="all", linger_ms=0)
    try:
        for value in RECORDS:
            producer.send(INPUT, value).get(30)
    finally:
        producer.close()
    return {
        "ph-skip": _app(kafka_cluster, "ph-skip", **{"production.exception.handler": HANDLER}),
        "ph-fail": _app(kafka_cluster, "ph-fail"),  # Kafka's DefaultProductionExceptionHandler: FAIL
    }


def test_the_continuing_handler_really_loses_the_record(kafka_cluster: Cluster, apps: dict[str, StreamsApp]) -> None:
    skip = apps["ph-skip"]
    skip.start()
    try:
        deadline = time.monotonic() + 120
        while (_committed(kafka_cluster, "ph-skip") or 0) < len(RECORDS):
            assert skip.exit_code() is None, f"ph-skip stopped:\n{skip.log_tail()}"
            assert time.monotonic() < deadline, f"ph-skip never committed past the records:\n{skip.log_tail()}"
            time.sleep(1)
    finally:
        skip.stop()
    assert _read(kafka_cluster, "ph-skip-output") == [b"small-1", b"small-2"]  # the large one is gone
    assert "skipping a record to ph-skip-output" in skip.log_tail()


def test_the_default_handler_stops_the_application(kafka_cluster: Cluster, apps: dict[str, StreamsApp]) -> None:
    fail = apps["ph-fail"]
    fail.start()
    try:
        deadline = time.monotonic() + 120
        while fail.exit_code() is None:
            assert time.monotonic() < deadline, f"ph-fail kept running:\n{fail.log_tail()}"
            time.sleep(1)
    finally:
        fail.stop()
    assert fail.exit_code() == 1  # PassThroughApp exits 1 when Streams goes to ERROR
    assert (_committed(kafka_cluster, "ph-fail") or 0) <= 1  # never past the record it could not write
    assert b"x" * 16 not in b"".join(_read(kafka_cluster, "ph-fail-output"))


def test_str002_fails_on_the_continuing_handler_and_passes_the_default(
    apps: dict[str, StreamsApp], tmp_path: Path
) -> None:
    output = tmp_path / "report.json"
    paths = [str(app.properties_path) for app in apps.values()]
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", *paths, str(HARNESS_APP_SOURCES), "--format", "json",
         "--output", str(output)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    report: dict[str, Any] = json.loads(output.read_text())
    assert_valid_report(report)
    failed = [f for f in report["findings"] if f["rule_id"] == "STR002"]
    assert [(f["resource"]["name"], f["status"], f["severity"]) for f in failed] == [("ph-skip", "fail", "high")]
    assert "SkipOnProductionError.java" in failed[0]["message"] and "Response.resume()" in failed[0]["message"]
    passed = {p["resource"]["name"] for p in report["passed"] if p["rule_id"] == "STR002"}
    assert "ph-fail" in passed
