"""Property-based: random and malformed content thrown at every file reader.

Each reader either returns what the file declares or raises ParseError (which the CLI turns
into one exit-2 line naming file and line); nothing else escapes, and nothing hangs (a
deadline per example).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.errors import InputError
from auditor.sources.file_formats import detect
from auditor.sources.files import read_paths
from auditor.sources.files.base import Found, ReadOptions
from auditor.sources.files.clientdict import read_client_dict
from auditor.sources.files.components import (
    read_connect_worker,
    read_connector_json,
    read_connector_properties,
    read_mm2_properties,
    read_streams_properties,
)
from auditor.sources.files.compose import read_compose
from auditor.sources.files.keyvalue import read_client_properties, read_server_properties
from auditor.sources.files.spring import read_spring
from auditor.sources.files.strimzi import read_strimzi
from auditor.sources.files.terraform import module_of, parse_tf, read_module
from auditor.sources.files.topicctl import read_topicctl
from auditor.sources.files.values import Dialect, ParseError, resolve
from auditor.sources.files.yamltree import LoneSurrogate, load_documents
from auditor.yamlread import joined_surrogates
from tests.held_strings import held_strings

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
OPTIONS = ReadOptions()

Reader = Callable[[str, str, ReadOptions], Found]
READERS: list[tuple[str, Reader, str]] = [
    ("properties", read_client_properties, "client.properties"),
    ("server-properties", read_server_properties, "server.properties"),
    ("spring-yaml", read_spring, "application.yml"),
    ("spring-properties", read_spring, "application.properties"),
    ("librdkafka-json", read_client_dict, "client.json"),
    ("librdkafka-yaml", read_client_dict, "client.yaml"),
    ("compose", read_compose, "docker-compose.yml"),
    ("strimzi", read_strimzi, "kafka.yaml"),
    ("topicctl", read_topicctl, "topic.yaml"),
    ("connect-worker", read_connect_worker, "connect-distributed.properties"),
    ("connector", read_connector_properties, "connector.properties"),
    ("connector-json", read_connector_json, "connector.json"),
    ("streams", read_streams_properties, "streams.properties"),
    ("mirrormaker2", read_mm2_properties, "mm2.properties"),
]

# Words that reach the interesting branches: Kafka keys, Spring and compose structure, placeholders.
WORDS = st.sampled_from(
    [
        "spring",
        "kafka",
        "producer",
        "consumer",
        "properties",
        "listener",
        "ack-mode",
        "acks",
        "retries",
        "enable.idempotence",
        "enable-auto-commit",
        "[enable.auto.commit]",
        "config",
        "activate",
        "on-profile",
        "profiles",
        "active",
        "services",
        "image",
        "environment",
        "apache/kafka",
        "bitnami/kafka",
        "wurstmeister/kafka",
        "KAFKA_CREATE_TOPICS",
        "KAFKA_CFG_MIN_INSYNC_REPLICAS",
        "apiVersion",
        "kafka.strimzi.io/v1beta2",
        "kind",
        "Kafka",
        "KafkaTopic",
        "KafkaNodePool",
        "KafkaConnect",
        "KafkaConnector",
        "KafkaMirrorMaker2",
        "platform.confluent.io/v1beta1",
        "Connector",
        "class",
        "configs",
        "mirrors",
        "sourceCluster",
        "targetCluster",
        "connectCluster",
        "sourceConnector",
        "clusters",
        "alias",
        "connector.class",
        "errors.tolerance",
        "A->B.enabled",
        "A->B.replication.factor",
        "offset.storage.replication.factor",
        "offset.storage.file.filename",
        "application.id",
        "deserialization.exception.handler",
        "metadata",
        "name",
        "labels",
        "strimzi.io/cluster",
        "spec",
        "replicas",
        "meta",
        "replicationFactor",
        "settings",
        "default.topic.config",
        "request.required.acks",
        "auto.offset.reset",
        "${X}",
        "${X:1}",
        "${X:-all}",
        "{{ v }}",
        "$$",
        "0",
        "1",
        "all",
        "true",
        "",
        "a:1:1",
        "<<",
    ]
)
# Strings holding surrogates: yaml.safe_dump writes each as a "\\uD83D" escape, a pair as JSON
# writes an astral character; a reader joins a pair and refuses a lone one (ParseError).
SURROGATES = st.lists(
    st.one_of(st.characters(categories=["Cs"]), st.sampled_from(["\ud83d\ude00", "\ud800\udc00", "x"])),
    min_size=1,
    max_size=4,
).map("".join)
SCALARS = st.one_of(WORDS, st.integers(-3, 10), st.booleans(), st.none(), st.text(max_size=8), SURROGATES)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(WORDS, children, max_size=5)),
    max_leaves=25,
)


def _call(reader: Reader, text: str, path: str) -> None:
    try:
        found = reader(text, path, OPTIONS)
    except ParseError as exc:
        assert exc.problem  # a clean error that says what is wrong
        return
    assert isinstance(found, Found)
    for held in held_strings(found):
        held.encode("utf-8")  # no surrogate reaches what a report prints


@pytest.mark.parametrize(("name", "reader", "path"), READERS, ids=[r[0] for r in READERS])
@FUZZ
@given(text=st.text(max_size=300))
def test_random_text(name: str, reader: Reader, path: str, text: str) -> None:
    _call(reader, text, path)


@pytest.mark.parametrize(("name", "reader", "path"), READERS, ids=[r[0] for r in READERS])
@FUZZ
@given(tree=TREES, documents=st.integers(1, 3))
def test_structured_yaml(name: str, reader: Reader, path: str, tree: Any, documents: int) -> None:
    text = "---\n".join(yaml.safe_dump(tree) for _ in range(documents))
    _call(reader, text, path)


@pytest.mark.parametrize(("name", "reader", "path"), READERS, ids=[r[0] for r in READERS])
@FUZZ
@given(lines=st.lists(st.tuples(WORDS, st.sampled_from(["=", ": ", " ", "\\\n", "=\\u00", "#---\n"]), WORDS)))
def test_key_value_lines(name: str, reader: Reader, path: str, lines: list[tuple[str, str, str]]) -> None:
    _call(reader, "\n".join(f"{k}{sep}{v}" for k, sep, v in lines), path)


HCL = st.lists(
    st.sampled_from(
        [
            'resource "kafka_topic" "t" {',
            "}",
            "{",
            'name = "x"',
            "replication_factor = var.rf",
            "replication_factor = 3",
            "for_each = var.m",
            'for_each = toset(["a", "b"])',
            "for_each = {a = 1}",
            "config = {",
            '"min.insync.replicas" = each.value',
            'variable "rf" {',
            "default = 2",
            'variable "m" {',
            "default = { a = { rf = 1 } }",
            "locals {",
            "x = local.x",
            "replication_factor = local.x",
            'name = "${each.key}-${var.rf}"',
            "replication_factor = each.value.rf",
            "= =",
            '"',
            "<<EOT",
            "EOT",
            "#",
        ]
    ),
    max_size=20,
)


def _terraform(text: str) -> None:
    try:
        tf = parse_tf(text, "main.tf")
    except ParseError as exc:
        assert exc.problem
        return
    assert isinstance(read_module([tf], module_of([tf])), Found)


@FUZZ
@given(lines=HCL)
def test_terraform_structured(lines: list[str]) -> None:
    _terraform("\n".join(lines))


@FUZZ
@given(text=st.text(max_size=200))
def test_terraform_random_text(text: str) -> None:
    _terraform(text)


# Any text, surrogates included (alone, paired, in the wrong order), as keys and values.
ANY_TEXT = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=6)
JSON_TREES = st.recursive(
    st.one_of(ANY_TEXT, st.none()),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(ANY_TEXT, children, max_size=3)),
    max_leaves=12,
)


@FUZZ
@given(tree=JSON_TREES)
def test_json_reads_as_yaml_as_json_reads_it(tree: Any) -> None:
    """JSON is YAML: json.dumps escapes every character beyond U+FFFF as a surrogate pair, which the
    YAML reader joins as json.loads does; a surrogate json.loads leaves alone is refused at its line."""
    text = json.dumps(tree, indent=1)
    expected = json.loads(text)
    if any(joined_surrogates(held) is None for held in held_strings(expected)):
        with pytest.raises(LoneSurrogate) as error:
            load_documents(text)
        assert error.value.line is not None
        return
    assert load_documents(text) == [expected]


@FUZZ
@given(text=st.text(max_size=100), dialect=st.sampled_from(list(Dialect)))
def test_placeholders_resolve_or_say_why(text: str, dialect: Dialect) -> None:
    resolved = resolve(text, dialect)
    assert resolved.value is not None or resolved.detail


@FUZZ
@given(
    name=st.sampled_from(["a.properties", "application.yml", "docker-compose.yaml", "x.json", "t.tf", "x.yaml"]),
    text=st.text(max_size=200),
)
def test_detection(name: str, text: str) -> None:
    try:
        detect(name, text)
    except ParseError as exc:
        assert exc.problem


@settings(max_examples=60, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["a.properties", "application.yml", "docker-compose.yaml", "x.json", "t.tf", "kafka.yaml"]),
    data=st.binary(max_size=200),
)
def test_whole_source_only_raises_input_errors(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        read_paths([str(path)])
    except InputError as exc:
        assert str(exc).startswith(str(path)) or "--file-format" in str(exc)
