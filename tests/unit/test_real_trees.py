"""Folder audits of real-world trees: what is not Kafka configuration (or cannot be parsed) is a
gap naming file and line, never the end of the audit; a named file that is not Kafka's is "not
recognised"; and the folder pre-filter never changes a verdict."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.audit import AuditOptions, FileSources, audit_estate, read_files
from auditor.engine.rules import load_rules
from auditor.errors import InputError
from auditor.model import Role
from auditor.sources.files import NOT_RECOGNISED, NOTHING_FOUND, ReadOptions, read_paths
from auditor.sources.files.clientkeys import KNOWN_CLIENT_KEYS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
Verdict = tuple[str, str, str, str | None, int | None, str | None]  # rule, status, resource, path, line, profile


RULES = load_rules()


def verdicts(*paths: str) -> set[Verdict]:
    estate, targets = read_files(FileSources(paths))
    result = audit_estate(estate, targets, RULES, AuditOptions())
    return {
        (
            f.rule_id,
            f.status.value,
            f.resource.name,
            f.location.path if f.location else None,
            f.location.line if f.location else None,
            f.location.profile if f.location else None,
        )
        for f in result.findings
    }


def fixture_folders() -> Iterator[Path]:
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_dir() and path.name != "broken" and any(p.is_file() for p in path.iterdir()):
            yield path


@pytest.mark.parametrize("fixture", list(fixture_folders()), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_a_folder_gives_the_same_findings_walked_or_with_every_file_named(fixture: Path) -> None:
    """The pre-filter of a folder walk skips only what detection would not recognise: walking a
    fixture folder finds what naming each of its files finds (the same files, the same context)."""
    files = sorted(str(p) for p in fixture.rglob("*") if p.is_file())
    assert verdicts(str(fixture)) == verdicts(*files)


KEYS = st.sampled_from(sorted(KNOWN_CLIENT_KEYS))
VALUES = st.sampled_from(["true", "false", "1", "0", "all", "-1", "latest", "earliest", "5", "orders"])
SYNTAX = st.sampled_from(["client.properties", "client.conf", "client.json", "client.yaml"])


def _write(path: Path, pairs: list[tuple[str, str]]) -> None:
    if path.suffix == ".json":
        path.write_text(json.dumps(dict(pairs)))
    elif path.suffix == ".yaml":
        path.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in pairs))
    else:
        path.write_text("".join(f"{k}={v}\n" for k, v in pairs))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=SYNTAX, pairs=st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=3), snake=st.booleans())
def test_generated_client_files_give_the_same_findings_named_or_walked(
    tmp_path_factory: pytest.TempPathFactory, name: str, pairs: list[tuple[str, str]], snake: bool
) -> None:
    folder = tmp_path_factory.mktemp("one")
    if snake and not name.endswith((".properties", ".conf")):
        pairs = [(k.replace(".", "_"), v) for k, v in pairs]  # kafka-python keyword names
    _write(folder / name, pairs)
    named_file = f"{folder}/{name}"
    named = verdicts(named_file) if read_paths([named_file]).targets else set()
    assert verdicts(str(folder)) == named


def test_only_enable_auto_commit_is_judged_named_and_walked(tmp_path: Path) -> None:
    (tmp_path / "consumer.properties").write_text("enable.auto.commit=true\n")
    file = f"{tmp_path}/consumer.properties"
    expected = {("CON001", "fail", file, file, 1, None)}
    assert {v for v in verdicts(str(tmp_path)) if v[0] == "CON001"} == expected
    assert {v for v in verdicts(f"{tmp_path}/consumer.properties") if v[0] == "CON001"} == expected


def _public_style_tree(root: Path) -> None:
    """A scratch repository in the shape of the public trees the audit meets (each named)."""
    # Helm chart values (bitnami/charts kafka/values.yaml): mentions Kafka, no format of ours.
    (root / "charts" / "kafka" / "templates").mkdir(parents=True)
    (root / "charts" / "kafka" / "Chart.yaml").write_text("apiVersion: v2\nname: kafka\nversion: 26.0.0\n")
    (root / "charts" / "kafka" / "values.yaml").write_text(
        "image:\n  registry: docker.io\n  repository: bitnami/kafka\n  tag: 3.6.1\n"
        "listeners:\n  client:\n    protocol: SASL_PLAINTEXT\n"
    )
    (root / "charts" / "kafka" / "templates" / "statefulset.yaml").write_text("{{- if .Values.kafka }}\nkind: x\n")
    # JSON-lines test data (kafka-connect-datagen style), one record per line: not one JSON document.
    (root / "data").mkdir()
    (root / "data" / "orders.json").write_text('{"topic": "orders", "id": 1}\n{"topic": "orders", "id": 2}\n')
    # A .config in properties syntax with Spring keys (a .NET-era app.config renamed, seen in the wild).
    (root / "legacy.config").write_text("spring.kafka.bootstrap-servers=localhost:9092\nspring.kafka.producer.acks=1\n")
    # A Kafka Connect worker (apache/kafka config/connect-distributed.properties).
    (root / "connect").mkdir()
    (root / "connect" / "connect-distributed.properties").write_text(
        "bootstrap.servers=localhost:9092\ngroup.id=connect-cluster\n"
        "key.converter=org.apache.kafka.connect.json.JsonConverter\noffset.storage.topic=connect-offsets\n"
    )
    # A connector config (confluentinc/kafka-connect-jdbc docs), JSON with a name and config map.
    (root / "connect" / "jdbc-source.json").write_text(
        '{"name": "jdbc-source", "config": {"connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector",'
        ' "topic.prefix": "db-"}}'
    )
    # Two compose variants side by side (confluentinc/cp-all-in-one), one of them broken mid-edit.
    (root / "compose").mkdir()
    (root / "compose" / "docker-compose.yml").write_text(
        "services:\n  broker:\n    image: confluentinc/cp-kafka:7.6.0\n    environment:\n"
        "      KAFKA_NODE_ID: 1\n      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: 1\n"
    )
    (root / "compose" / "docker-compose.override.yml").write_text("services:\n  broker:\n    environment: [\n")
    # Strimzi examples (strimzi/strimzi-kafka-operator packaging/examples), one KafkaTopic.
    (root / "strimzi").mkdir()
    (root / "strimzi" / "kafka-topic.yaml").write_text(
        "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: my-topic\n"
        "  labels:\n    strimzi.io/cluster: my-cluster\nspec:\n  partitions: 1\n  replicas: 1\n"
    )
    # A CI workflow mentioning nothing of Kafka's.
    (root / "ci.yml").write_text("steps:\n  - run: make test\n")


def test_a_public_style_tree_is_audited_with_gaps_never_exit_2(tmp_path: Path) -> None:
    _public_style_tree(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", ".", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr  # the real findings still fail the gate
    report = json.loads(done.stdout)
    gaps = {g["resource"]: g["reason"] for g in report["coverage"]["gaps"]}
    assert gaps["compose/docker-compose.override.yml"].startswith(
        "cannot be read: compose/docker-compose.override.yml:4: invalid YAML"
    )
    assert gaps["data/orders.json"].startswith("cannot be read: data/orders.json:2: invalid JSON")
    assert gaps["charts/kafka/values.yaml"] == NOT_RECOGNISED
    assert gaps["legacy.config"] == NOT_RECOGNISED  # Spring Boot reads no .config file
    assert "ci.yml" not in gaps and "charts/kafka/templates/statefulset.yaml" not in gaps
    findings = {(f["rule_id"], f["resource"]["name"]) for f in report["findings"]}
    assert ("STO001", "KafkaTopic/my-topic") in findings  # the Strimzi topic with replicas: 1 is still judged
    assert report["coverage"]["complete"] is False
    gated = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", ".", "--fail-on", "never", "--fail-on-gaps"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert gated.returncode == 4, gated.stderr


def test_a_named_file_that_is_not_kafka_configuration_is_not_recognised(tmp_path: Path) -> None:
    # bitnami/charts-style values file and a Kafka Connect connector's JSON (kafka-connect-jdbc docs)
    (tmp_path / "kafka-values.yaml").write_text("replicaCount: 3\nimage:\n  repository: bitnami/kafka\n")
    (tmp_path / "jdbc-source.json").write_text('{"name": "jdbc", "config": {"tasks.max": "1"}}\n')
    found = read_paths([str(tmp_path / "kafka-values.yaml"), str(tmp_path / "jdbc-source.json")])
    assert [(g.resource, g.reason) for g in found.gaps] == [
        (f"{tmp_path}/kafka-values.yaml", NOT_RECOGNISED),
        (f"{tmp_path}/jdbc-source.json", NOT_RECOGNISED),
    ]
    assert found.targets == ()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("docker-compose.yml", "services:\n  broker: [\n", "docker-compose.yml:3: invalid YAML"),
        ("application.yml", "spring:\n  kafka: [\n", "application.yml:3: invalid YAML"),
        ("client.properties", "acks=\\u12\n", "client.properties:1: malformed \\uxxxx encoding"),
        ("main.tf", 'resource "kafka_topic" "t" {\n', "main.tf"),
        ("orders.json", '{"topic": "orders"}\n{"topic": "orders"}\n', "orders.json:2: invalid JSON"),
        ("values.yaml", "kafka: [\n", "values.yaml:2: invalid YAML"),
    ],
)
def test_a_named_file_that_cannot_be_parsed_is_exit_2_and_walked_a_gap(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(InputError, match=None) as raised:
        read_paths([str(tmp_path / name)])
    assert message in str(raised.value)
    assert read_paths([str(tmp_path)]).gaps[0].reason.startswith(f"cannot be read: {tmp_path}/{message}")


def test_nothing_found_is_a_gap_and_said_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "README.yml").write_text("title: nothing here\n")
    assert [(g.resource, g.reason) for g in read_paths([str(tmp_path)]).gaps] == [(str(tmp_path), NOTHING_FOUND)]
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", str(tmp_path), "--fail-on-gaps"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 4
    assert f"kafka-audit: warning: nothing to audit under {tmp_path}: {NOTHING_FOUND}" in done.stderr


def test_spring_template_alone_is_a_producer_labelled_with_the_profile_the_file_activates() -> None:
    path = str(FIXTURES / "spring" / "template" / "application.yml")
    found = read_paths([path], options=ReadOptions(client="spring", client_version="2.5"))
    assert [(c.roles, c.profile) for c in found.clients] == [(frozenset({Role.PRODUCER}), "local")]
    estate, targets = read_files(FileSources((path,), None, "spring@2.5"))
    result = audit_estate(estate, targets, RULES, AuditOptions())
    assert {(f.rule_id, f.status.value, f.location.profile if f.location else None) for f in result.findings} == {
        ("PRD001", "fail", "local"),
        ("PRD003", "fail", "local"),
    }
