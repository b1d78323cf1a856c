"""Kafka Connect, Kafka Streams and MirrorMaker 2 files: detected as their own kinds, read with
lines, secrets redacted, and judged by the CNX/STR/MM2 rules (never as a plain consumer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import FileSources, judge, read_files
from auditor.engine import load_rules
from auditor.sources.files import FilesRead, read_paths

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "files"
FOLDERS = ("connect-worker", "connector", "connector-json", "streams", "mirrormaker2", "connect-k8s", "connect-spring")
WHERE = {
    "connect-distributed.properties": "connect-worker",
    "connect-file-source.properties": "connector",
    "jdbc-sink.json": "connector-json",
    "wordcount-streams.properties": "streams",
    "connect-mirror-maker.properties": "mirrormaker2",
    "kafka-connect.yaml": "connect-k8s",
    "cfk-connector.yaml": "connect-k8s",
}


def fixture(name: str) -> Path:
    return FILES / WHERE[name] / name


def read(name: str) -> FilesRead:
    return read_paths([str(fixture(name))])


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("connect-distributed.properties", "connect-worker"),
        ("connect-file-source.properties", "connector"),
        ("jdbc-sink.json", "connector-json"),
        ("kafka-connect.yaml", "strimzi"),
        ("cfk-connector.yaml", "strimzi"),
        ("wordcount-streams.properties", "streams"),
        ("connect-mirror-maker.properties", "mirrormaker2"),
    ],
)
def test_detected_as_its_own_kind(name: str, fmt: str) -> None:
    found = read(name)
    assert [t.format for t in found.targets] == [fmt]
    assert found.clients == ()  # a Connect worker's group.id is the Connect cluster's, not a consumer's


def test_worker_settings_with_lines_and_secrets_redacted() -> None:
    (worker,) = read("connect-distributed.properties").workers
    assert worker.distributed is True
    rf = worker.settings["offset.storage.replication.factor"]
    assert (rf.value, rf.line) == ("1", 9)
    jaas = worker.settings["producer.sasl.jaas.config"]
    assert jaas.value is None and jaas.sensitive


def test_connector_json_redacts_password_and_url_credentials() -> None:
    (connector,) = read("jdbc-sink.json").connectors
    assert (connector.name, connector.type) == ("jdbc-orders-sink", "sink")
    assert connector.settings["connection.password"].value is None
    assert connector.settings["connection.url"].value is None  # ?password=... in the URL
    assert connector.settings["connection.user"].value == "shop"


def test_strimzi_connect_connector_and_mirror_maker() -> None:
    found = read("kafka-connect.yaml")
    assert [w.name for w in found.workers] == ["KafkaConnect/my-connect-cluster", "KafkaMirrorMaker2/my-mirror-maker-2"]
    (connector,) = found.connectors
    assert connector.worker == "KafkaConnect/my-connect-cluster"
    assert connector.type == "source"
    assert connector.settings["connector.class"].value == "org.apache.kafka.connect.file.FileStreamSourceConnector"
    (flow,) = found.mirrors
    assert (flow.source, flow.target) == ("cluster-a", "cluster-b")
    assert flow.settings["sync.group.offsets.enabled"].value == "true"


def test_mm2_flows_take_their_own_settings_over_the_shared_ones() -> None:
    flows = {f.name.split()[-1]: f for f in read("connect-mirror-maker.properties").mirrors}
    assert sorted(flows) == ["A->B", "B->A"]
    assert "sync.group.offsets.enabled" not in flows["A->B"].settings
    assert flows["B->A"].settings["sync.group.offsets.enabled"].line == 9


def test_the_fixture_folder_is_judged_by_the_component_rules() -> None:
    estate, _targets = read_files(FileSources(paths=tuple(str(FILES / folder) for folder in FOLDERS[:-1])))
    found = {(f.rule_id, f.resource.kind, f.resource.name) for f in judge(estate, load_rules())}
    expected = {
        ("CNX001", "connect-worker", str(fixture("connect-distributed.properties"))),
        ("CNX001", "connect-worker", "KafkaMirrorMaker2/my-mirror-maker-2"),
        ("CNX010", "connector", "jdbc-orders-sink"),
        ("CNX010", "connector", "Connector/datagen-users"),
        ("CNX012", "connector", "KafkaConnector/my-source-connector"),
        ("CNX013", "connector", "jdbc-orders-sink"),
        ("STR001", "streams", "streams-wordcount"),
        ("STR004", "streams", "streams-wordcount"),
        ("MM2001", "mirror-flow", f"{fixture('connect-mirror-maker.properties')} A->B"),
        ("MM2002", "mirror-flow", "KafkaMirrorMaker2/my-mirror-maker-2 cluster-a->cluster-b"),
        ("MM2003", "mirror-flow", f"{fixture('connect-mirror-maker.properties')} A->B"),
    }
    assert expected <= found, expected - found
    assert not any(kind == "consumer" for _rule, kind, _name in found)
    assert ("MM2003", "mirror-flow", f"{fixture('connect-mirror-maker.properties')} B->A") not in found


def test_spring_kafka_streams_is_a_streams_application_per_profile() -> None:
    found = read_paths([str(FILES / "connect-spring" / "application.yml")])
    apps = {a.name: a for a in found.streams}
    assert sorted(apps) == ["orders-enricher", "orders-enricher (profile prod)"]
    base = apps["orders-enricher"]
    assert base.settings["replication.factor"].value == "1"
    assert base.settings["default.deserialization.exception.handler"].line == 9
    assert apps["orders-enricher (profile prod)"].settings["replication.factor"].value == "3"
    estate, _targets = read_files(FileSources(paths=(str(FILES / "connect-spring"),)))
    found_rules = {(f.rule_id, f.resource.name) for f in judge(estate, load_rules())}
    assert ("STR004", "orders-enricher") in found_rules
    assert ("STR004", "orders-enricher (profile prod)") not in found_rules
    assert ("STR001", "orders-enricher (profile prod)") in found_rules
