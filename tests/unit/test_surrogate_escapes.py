r"""An escaped surrogate pair ("\ud83d\ude00": JSON's escape of an astral character as Python's
json.dumps writes it, and how java.util.Properties.store writes one) is that one character in every
reader built on yamltree and in .properties files, as auditor.yamlread reads it for policy files;
a lone surrogate escape is refused at its line. libyaml refuses both as "invalid Unicode character
escape code"; PyYAML's own scanner and a .properties unescape kept two surrogates that no report
can encode.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.sources.files import read_paths
from auditor.sources.files.yamltree import load_documents
from auditor.yamlread import joined_surrogates
from tests.held_strings import held_strings

PAIR = r"\ud83d\ude00"  # as written in the file: twelve characters
GRIN = "\N{GRINNING FACE}"  # what they mean
LONE = r"\ud83d"

# One file per reader that composes YAML through yamltree; {text} is where the escape goes, always
# in a value the reader keeps. Shapes follow public files of each project (none copied).
CASES: dict[str, tuple[str, str]] = {
    # bitnami/containers' docker-compose.yml for bitnami/kafka (KRaft, KAFKA_CFG_* variables)
    "compose": (
        "docker-compose.yml",
        """services:
  kafka:
    image: docker.io/bitnami/kafka:3.7
    environment:
      - KAFKA_CFG_NODE_ID=0
      - KAFKA_CFG_PROCESS_ROLES=controller,broker
      - "KAFKA_CFG_ADVERTISED_LISTENERS=PLAINTEXT://kafka-{text}:9092"
""",
    ),
    # strimzi-kafka-operator's examples/topic/kafka-topic.yaml, with spec.topicName for a name
    # Kubernetes cannot hold
    "strimzi": (
        "kafka-topic.yaml",
        """apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata:
  name: orders
  labels:
    strimzi.io/cluster: my-cluster
spec:
  topicName: "orders-{text}"
  partitions: 3
  replicas: 3
  config:
    min.insync.replicas: 2
""",
    ),
    # segmentio/topicctl's examples/local-cluster/topics/topic-default.yaml
    "topicctl": (
        "topic-default.yaml",
        """meta:
  name: "orders-{text}"
  cluster: local-cluster
  environment: local-env
  region: local-region
  description: Orders.
spec:
  partitions: 3
  replicationFactor: 3
  retentionMinutes: 100
  placement:
    strategy: any
""",
    ),
    # spring-kafka samples' application.yml
    "spring": (
        "application.yml",
        """spring:
  kafka:
    bootstrap-servers: localhost:9092
    producer:
      client-id: "orders-{text}"
      acks: all
""",
    ),
    # a Kubernetes Deployment of a Spring Boot service, relaxed binding (spring-petclinic's k8s/ style)
    "kubernetes": (
        "deployment.yaml",
        """apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  template:
    spec:
      containers:
        - name: orders
          image: example/orders:1.0
          env:
            - name: SPRING_KAFKA_BOOTSTRAP_SERVERS
              value: kafka:9092
            - name: SPRING_KAFKA_PRODUCER_CLIENT_ID
              value: "orders-{text}"
            - name: SPRING_KAFKA_PRODUCER_ACKS
              value: all
""",
    ),
    # confluent-kafka-python's examples: a librdkafka config kept as YAML
    "librdkafka": (
        "producer.yaml",
        """bootstrap.servers: localhost:9092
client.id: "orders-{text}"
acks: all
""",
    ),
    # an application's settings.yaml with a kafka-python producer map under kafka:
    "nested": (
        "settings.yaml",
        """kafka:
  producer:
    bootstrap_servers: localhost:9092
    client_id: "orders-{text}"
    acks: all
""",
    ),
    # a Kafka Connect connector as posted to the REST API, dumped by Python's json.dumps (it escapes
    # every astral character as a surrogate pair); debezium-examples' register-postgres.json shape
    "connector-json": (
        "register-orders.json",
        """{{
  "name": "orders-{text}",
  "config": {{
    "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
    "tasks.max": "1",
    "topic.prefix": "orders",
    "errors.tolerance": "none"
  }}
}}
""",
    ),
    # Kafka's config/producer.properties, saved by java.util.Properties.store, which writes a
    # character beyond U+FFFF as its surrogate pair escaped
    "properties": (
        "producer.properties",
        """#Sat Nov 30 10:00:00 UTC 2026
bootstrap.servers=localhost\\:9092
client.id=orders-{text}
acks=all
""",
    ),
}


def _write(tmp_path: Path, case: str, text: str) -> Path:
    name, template = CASES[case]
    path = tmp_path / name
    path.write_text(template.format(text=text), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_an_escaped_pair_is_its_character(tmp_path: Path, case: str) -> None:
    found = read_paths([str(_write(tmp_path, case, PAIR))])
    strings = list(held_strings(found))
    assert not found.gaps, found.gaps
    assert any(GRIN in s for s in strings), f"{case}: the pair did not reach what was read"
    assert all(s.encode("utf-8") for s in strings)  # no surrogate left: each encodes, as a report must


@pytest.mark.parametrize("case", list(CASES))
def test_a_lone_surrogate_escape_is_refused_at_its_line(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path, case, LONE)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if LONE in text)
    with pytest.raises(InputError) as error:
        read_paths([str(path)])
    assert str(error.value).startswith(f"{path}:{line}:"), str(error.value)
    assert "lone surrogate" in str(error.value)


@pytest.mark.parametrize("escape", [PAIR, r"\uD83D\uDE00", r"\U0000D83D\U0000DE00"])
def test_every_spelling_of_the_pair_composes(escape: str) -> None:
    assert load_documents(f'k: "{escape}"\n') == [{"k": GRIN}]


def test_a_pair_in_a_key_is_its_character_too() -> None:
    assert load_documents(f'"{PAIR}": v\n') == [{GRIN: "v"}]


def test_single_quoted_and_plain_scalars_keep_the_backslash() -> None:
    # no escapes outside double quotes: the text is read as written, by either loader
    assert load_documents(f"a: '{PAIR}'\nb: x{PAIR}\n") == [{"a": PAIR, "b": "x" + PAIR}]


def test_the_helper_is_shared_with_policy_files() -> None:
    assert joined_surrogates("a\ud83d\ude00b") == f"a{GRIN}b"
    assert joined_surrogates("plain") == "plain"
    assert joined_surrogates("\ude00\ud83d") is None  # a pair in the wrong order is two lone halves
    assert joined_surrogates("\ud83d") is None


def test_a_report_names_the_topic_with_its_character(tmp_path: Path) -> None:
    path = _write(tmp_path, "topicctl", PAIR)
    path.write_text(path.read_text().replace("replicationFactor: 3", "replicationFactor: 1"), encoding="utf-8")
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", str(path), "--format", "json", "--output", str(report)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # judged (replication factor 1), not refused as invalid YAML
    assert "Traceback" not in done.stderr
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert any(f"orders-{GRIN}" in json.dumps(f, ensure_ascii=False) for f in findings), findings
