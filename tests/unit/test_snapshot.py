"""Snapshot files: round trip, redaction, validation errors; no cluster needed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.audit import Sources
from auditor.errors import InputError
from auditor.findings import Finding
from auditor.model import (
    Broker,
    ClusterSnapshot,
    ConfigSource,
    ConfigValue,
    ConnectPlugin,
    ConnectWorker,
    ConsumerGroup,
    ControllerQuorum,
    CoverageGap,
    GroupOffset,
    Partition,
    QuorumVoter,
    Topic,
    Transaction,
)
from auditor.sources.connect_rest import ConnectRead
from auditor.sources.redaction import is_sensitive_key
from auditor.sources.snapshot import read_snapshot, read_snapshot_connect, write_snapshot
from tests.builders import BOOTSTRAP, topic

SECRET = "hunter2-do-not-leak"
CONNECT = ("CNX", "MM2")


def full_snapshot() -> ClusterSnapshot:
    broker_configs = {
        "min.insync.replicas": ConfigValue(
            "min.insync.replicas", "2", ConfigSource.DYNAMIC_CLUSTER_DEFAULT, detail="over Kafka default 1"
        ),
        "ssl.keystore.password": ConfigValue("ssl.keystore.password", None, ConfigSource.STATIC_BROKER, sensitive=True),
    }
    elr_topic = Topic(
        "orders",
        False,
        (Partition("orders", 0, 1, (1, 2, 3), (1, 2), (3,), (2,)), Partition("orders", 1, None, (2, 3), (), ())),
        {"retention.ms": ConfigValue("retention.ms", "604800000", ConfigSource.TOPIC_OVERRIDE)},
    )
    offset = GroupOffset("orders", 0, 5, 0, 9, 3, lag_probes=((80, 4), (95, None)))
    return ClusterSnapshot(
        bootstrap=BOOTSTRAP,
        collected_at="2026-11-25T16:00:00+00:00",
        cluster_id="abc",
        brokers=(Broker(1, "h1", 9092, "rack-1", False, broker_configs), Broker(2, "h2", 9092, None, True)),
        topics=(elr_topic, topic("__consumer_offsets", internal=True)),
        groups=(ConsumerGroup("g", "classic", "Stable", "consumer", 2, (offset,)),),
        quorum=ControllerQuorum(1, (QuorumVoter(1, 10, 0), QuorumVoter(2, 7, 3)), (QuorumVoter(4, None, None),)),
        features={"metadata.version": 30, "eligible.leader.replicas.version": 1},
        transactions=(Transaction("tx", "Ongoing", 7, 1000, ("orders-0",), False),),
        gaps=(CoverageGap("topic secret", "configs not read: TopicAuthorizationFailedError"),),
    )


def test_round_trip_is_identity(tmp_path: Path) -> None:
    original = full_snapshot()
    path = tmp_path / "cluster.json"
    write_snapshot(original, path)
    document = json.loads(path.read_text())
    assert document["schema_version"] == 1 and document["collected_at"] == original.collected_at
    assert read_snapshot(path) == original


def test_a_snapshot_without_lag_probes_reads_as_unprobed(tmp_path: Path) -> None:
    """Snapshots written before the time-lag probes stay readable: their offsets have none."""
    original = full_snapshot()
    document = valid_document(tmp_path)
    for group in document["cluster"]["groups"]:
        for offset in group["offsets"]:
            del offset["lag_probes"]
    (group,) = read_snapshot(write_json(tmp_path, document)).groups
    assert group.offsets == (replace(original.groups[0].offsets[0], lag_probes=()),)


def test_sensitive_values_are_redacted_on_write(tmp_path: Path) -> None:
    leaky = {
        key: ConfigValue(key, SECRET, ConfigSource.STATIC_BROKER)
        for key in ("ssl.truststore.password", "sasl.jaas.config", "ssl.keystore.key", "my.api.token", "a.secret")
    }
    leaky["flagged"] = ConfigValue("flagged", SECRET, ConfigSource.STATIC_BROKER, detail=SECRET, sensitive=True)
    snapshot = ClusterSnapshot(BOOTSTRAP, "2026-11-25T16:00:00+00:00", brokers=(Broker(1, "h", 1, configs=leaky),))
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot, path)
    assert SECRET not in path.read_text()
    read_back = read_snapshot(path).brokers[0].configs
    assert all(value.value is None and value.sensitive for value in read_back.values())


@pytest.mark.parametrize(
    ("key", "sensitive"),
    [
        ("ssl.key.password", True),
        ("sasl.jaas.config", True),
        ("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", True),
        ("ssl.keystore.location", True),
        ("sasl.oauthbearer.client.secret", True),
        ("delegation.token.secret.key", True),
        ("min.insync.replicas", False),
        ("ssl.truststore.location", False),
        ("retention.ms", False),
    ],
)
def test_sensitive_keys(key: str, sensitive: bool) -> None:
    assert is_sensitive_key(key) is sensitive


def write_json(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document))
    return path


def valid_document(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "valid.json"
    write_snapshot(full_snapshot(), path)
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def test_unsupported_schema_version(tmp_path: Path) -> None:
    document = valid_document(tmp_path) | {"schema_version": 2}
    with pytest.raises(InputError, match="schema_version 2 is not supported"):
        read_snapshot(write_json(tmp_path, document))


def test_invalid_snapshot_names_the_place(tmp_path: Path) -> None:
    document = valid_document(tmp_path)
    document["cluster"]["topics"][0]["partitions"][0]["leader"] = "one"
    with pytest.raises(InputError, match="cluster/topics/0/partitions/0/leader"):
        read_snapshot(write_json(tmp_path, document))


def test_sensitive_value_in_a_snapshot_is_rejected(tmp_path: Path) -> None:
    document = valid_document(tmp_path)
    configs = document["cluster"]["brokers"][0]["configs"]
    configs["ssl.keystore.password"]["value"] = SECRET
    with pytest.raises(InputError, match="invalid snapshot"):
        read_snapshot(write_json(tmp_path, document))


@pytest.mark.parametrize(("text", "message"), [("{", "not JSON"), ("[]", "not a kafka-audit snapshot")])
def test_not_a_snapshot(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_snapshot(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read snapshot"):
        read_snapshot(tmp_path / "absent.json")


def test_secret_in_a_hand_made_snapshot_is_dropped_on_read(tmp_path: Path) -> None:
    document = valid_document(tmp_path)
    configs = document["cluster"]["brokers"][0]["configs"]
    configs["sasl.jaas.config"] = {"value": SECRET, "source": "STATIC_BROKER"}
    read = read_snapshot(write_json(tmp_path, document)).brokers[0].configs["sasl.jaas.config"]
    assert read.value is None and read.sensitive


# ---- Kafka Connect saved beside the cluster (snapshot --connect-url)

CONNECT_URL = "http://connect-1:8083"


def full_connect() -> ConnectRead:
    """What read_connect returns for a worker with a FileStream sink (one task FAILED), a JDBC sink whose
    plugin defines connection.password as PASSWORD, and MirrorMaker 2's source connector; answers in
    the shape kafka.apache.org's Connect "REST API" section documents."""
    from auditor.sources.connect_rest import _connector, mirror_flows, worker_name

    plugins = (
        ConnectPlugin("org.apache.kafka.connect.file.FileStreamSinkConnector", "sink", "4.3.1"),
        ConnectPlugin("org.apache.kafka.connect.mirror.MirrorSourceConnector", "source", "4.3.1"),
        ConnectPlugin("org.apache.kafka.connect.storage.StringConverter", "converter", None),
    )
    listing = {
        "file-sink": {
            "info": {"config": {"connector.class": "FileStreamSink", "topics": "orders", "errors.tolerance": "all"}},
            "status": {
                "connector": {"state": "RUNNING", "worker_id": "10.0.0.1:8083"},
                "tasks": [{"id": 0, "state": "FAILED", "worker_id": "10.0.0.2:8083", "trace": "java.io.IOException"}],
                "type": "sink",
            },
        },
        "jdbc-sink": {
            "info": {
                "config": {
                    "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
                    "connection.url": f"jdbc:postgresql://db/shop?user=shop&password={SECRET}",
                    "connection.password": SECRET,
                    "connection.attempts": SECRET,  # typed PASSWORD by the plugin, though its name says nothing
                }
            },
            "status": {"connector": {"state": "RUNNING"}, "tasks": [], "type": "sink"},
        },
        "mm2": {
            "info": {
                "config": {
                    "connector.class": "org.apache.kafka.connect.mirror.MirrorSourceConnector",
                    "source.cluster.alias": "east",
                    "target.cluster.alias": "west",
                    "replication.factor": "2",
                }
            },
            "status": {"connector": {"state": "RUNNING"}, "tasks": [], "type": "source"},
        },
    }
    typed = {"io.confluent.connect.jdbc.JdbcSinkConnector": frozenset({"connection.attempts"})}
    name = worker_name(CONNECT_URL)
    connectors = tuple(_connector(n, entry, CONNECT_URL, name, typed, plugins) for n, entry in sorted(listing.items()))
    worker = ConnectWorker(name, CONNECT_URL, "connect-rest", {}, None, CONNECT_URL, "4.3.1", plugins)
    gaps = (CoverageGap("connector plugin x", "config definitions not read (HTTP 500)"),)
    return ConnectRead((worker,), connectors, mirror_flows(connectors, CONNECT_URL), gaps)


def test_connect_round_trip_is_identity(tmp_path: Path) -> None:
    read = full_connect()
    path = tmp_path / "cluster.json"
    write_snapshot(full_snapshot(), path, connect=(read,))
    cluster, (saved,) = read_snapshot_connect(path)
    assert cluster == full_snapshot()
    assert saved == read
    assert saved.mirrors and saved.workers[0].plugins == read.workers[0].plugins


def test_a_snapshot_without_connect_has_no_connect_section(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    write_snapshot(full_snapshot(), path)
    assert "connect" not in json.loads(path.read_text())
    assert read_snapshot_connect(path) == (full_snapshot(), ())


def test_connect_secrets_never_reach_the_snapshot(tmp_path: Path) -> None:
    """Typed-PASSWORD and credential-like values are dropped as read; one a reader let through is
    redacted again as written."""
    read = full_connect()
    leaky = replace(
        read.connectors[0],
        settings={
            **read.connectors[0].settings,
            "sasl.jaas.config": ConfigValue("sasl.jaas.config", f'password="{SECRET}"', ConfigSource.CONNECT_REST),
        },
    )
    path = tmp_path / "cluster.json"
    write_snapshot(full_snapshot(), path, connect=(replace(read, connectors=(leaky, *read.connectors[1:])),))
    text = path.read_text()
    assert SECRET not in text
    saved = {c["name"]: c["config"] for c in json.loads(text)["connect"][0]["connectors"]}
    for name, key in (("jdbc-sink", "connection.password"), ("jdbc-sink", "connection.attempts"),
                      ("jdbc-sink", "connection.url"), ("file-sink", "sasl.jaas.config")):  # fmt: skip
        assert saved[name][key] == {"value": None, "source": "CONNECT_REST", "sensitive": True}, (name, key)


def test_audit_of_the_snapshot_judges_connect_as_the_live_read(tmp_path: Path) -> None:
    from auditor.audit import AuditOptions, audit_estate, audit_sources, with_connect_reads
    from auditor.engine import load_rules
    from auditor.model import Estate

    read, path = full_connect(), tmp_path / "cluster.json"
    write_snapshot(full_snapshot(), path, connect=(read,))
    estate, targets = with_connect_reads(Estate(cluster=full_snapshot()), (read,), "connect-rest")
    live = audit_estate(estate, targets, load_rules(), AuditOptions())
    saved = audit_sources(Sources(snapshot=path), AuditOptions())

    def connect(findings: Sequence[Finding]) -> list[tuple[str, str, str, str]]:
        return sorted((f.rule_id, f.resource.name, f.status, f.message) for f in findings if f.rule_id[:3] in CONNECT)

    assert {"CNX010", "CNX014", "MM2001"} <= {rule for rule, *_ in connect(live.findings)}
    assert connect(saved.findings) == connect(live.findings)
