"""The local test cluster itself (scripts/kafka-cluster): what every other integration test relies on."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kafka.admin import ConfigResource
from kafka.errors import KafkaConnectionError, TopicAuthorizationFailedError
from kafka_cluster import Cluster, under_replicated

pytestmark = pytest.mark.integration

CLI = Path(__file__).resolve().parents[2] / "scripts" / "kafka-cluster"


def eventually(what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll ``check`` until it returns a truthy value; retries the connection errors a just-stopped broker causes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except KafkaConnectionError:
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def read_properties(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_three_brokers_on_three_racks(kafka_cluster: Cluster, admin: Any) -> None:
    brokers = admin.describe_cluster()["brokers"]

    assert sorted((b["broker_id"], b["rack"], b["is_fenced"]) for b in brokers) == [
        (1, "rack-1", False),
        (2, "rack-2", False),
        (3, "rack-3", False),
    ]


def test_auditor_can_describe_but_not_create(kafka_cluster: Cluster, make_topic: Callable[..., str]) -> None:
    topic = make_topic(configs={"retention.ms": "3600000"})
    props = read_properties(kafka_cluster.auditor_config_path)
    username, password = re.findall(r'(?:username|password)="([^"]*)"', props["sasl.jaas.config"])
    auditor = kafka_cluster.admin_client(username)
    try:
        assert password == "auditor-secret"
        assert props["security.protocol"] == "SASL_PLAINTEXT"
        assert props["sasl.mechanism"] == "SCRAM-SHA-512"
        assert [t["error_code"] for t in auditor.describe_topics([topic])] == [0]
        topic_configs = auditor.describe_configs([ConfigResource("TOPIC", topic)])["topic"][topic]
        assert topic_configs["retention.ms"]["value"] == "3600000"
        broker_configs = auditor.describe_configs([ConfigResource("BROKER", "1")], config_filter="all")
        assert broker_configs["broker"]["1"]["min.insync.replicas"]["value"] == "2"
        with pytest.raises(TopicAuthorizationFailedError):
            auditor.create_topics({f"{topic}-denied": {"num_partitions": 1, "replication_factor": 3}})
        denied = auditor.alter_configs([ConfigResource("TOPIC", topic, {"retention.ms": "1000"})])
        assert "TopicAuthorizationFailed" in str(denied["topic"][topic])
    finally:
        auditor.close()


def test_java_tools_use_classpath_and_auditor_config(kafka_cluster: Cluster, make_topic: Callable[..., str]) -> None:
    topic = make_topic(partitions=2)

    result = kafka_cluster.run_kafka_tool(
        "org.apache.kafka.tools.TopicCommand",
        "--bootstrap-server", kafka_cluster.sasl_bootstrap,
        "--command-config", str(kafka_cluster.auditor_config_path),
        "--describe", "--topic", topic,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert f"Topic: {topic}\tTopicId:" in result.stdout
    assert "ReplicationFactor: 3" in result.stdout


def test_stopped_node_makes_rf3_topic_under_replicated(
    kafka_cluster: Cluster, admin: Any, make_topic: Callable[..., str], stopped_node: Callable[..., Any]
) -> None:
    topic = make_topic(partitions=3)
    assert under_replicated(admin, [topic]) == []

    with stopped_node(3):
        eventually("node 3 to leave every ISR", lambda: len(under_replicated(admin, [topic])) == 3)
        partitions = eventually("a metadata answer", lambda: admin.describe_topics([topic])[0]["partitions"])
        assert [sorted(p["replica_nodes"]) for p in partitions] == [[1, 2, 3]] * 3
        assert [sorted(p["isr_nodes"]) for p in partitions] == [[1, 2]] * 3
        assert kafka_cluster.node(3).pid is None

    assert under_replicated(admin, [topic]) == []
    assert kafka_cluster.node_alive(kafka_cluster.node(3))


def test_env_output_parses(kafka_cluster: Cluster) -> None:
    env = {**os.environ, "KAFKA_AUDIT_RUN_DIR": str(kafka_cluster.run_dir)}
    result = subprocess.run(
        [sys.executable, str(CLI), "env"], capture_output=True, text=True, env=env, check=False, timeout=60
    )

    assert result.returncode == 0, result.stderr
    exports = dict(shlex.split(line)[1].split("=", 1) for line in result.stdout.splitlines())
    assert kafka_cluster.state is not None
    base = kafka_cluster.state.port_base
    assert exports == {
        "KAFKA_BOOTSTRAP_SERVERS": ",".join(f"127.0.0.1:{base + n}" for n in (1, 2, 3)),
        "KAFKA_SASL_BOOTSTRAP_SERVERS": ",".join(f"127.0.0.1:{base + 100 + n}" for n in (1, 2, 3)),
        "KAFKA_AUDITOR_CONFIG": str(kafka_cluster.run_dir / "client.properties"),
        "KAFKA_ADMIN_CONFIG": str(kafka_cluster.run_dir / "admin.properties"),
        "KAFKA_SSL_BOOTSTRAP_SERVERS": ",".join(f"127.0.0.1:{base + 300 + n}" for n in (1, 2, 3)),
        "KAFKA_SSL_CONFIG": str(kafka_cluster.run_dir / "ssl-client.properties"),
        "KAFKA_VERSION": kafka_cluster.version,
        "KAFKA_MODE": "kraft",
    }
    assert read_properties(Path(exports["KAFKA_ADMIN_CONFIG"]))["sasl.jaas.config"].endswith(
        'username="admin" password="admin-secret";'
    )
