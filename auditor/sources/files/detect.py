"""Which format a file is: by its name first, then by what it contains.

Every reader has the same shape: (text, display path, options) -> Found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from auditor.sources.code import SUFFIXES as CODE_SUFFIXES
from auditor.sources.files.base import Found, ReadOptions
from auditor.sources.files.clientdict import load_mapping, looks_client_dict, read_client_dict
from auditor.sources.files.clientkeys import KNOWN_CLIENT_KEYS, java_name
from auditor.sources.files.compose import looks_compose, read_compose
from auditor.sources.files.keyvalue import (
    entries_of,
    properties_kind,
    read_client_properties,
    read_librdkafka_properties,
    read_server_properties,
)
from auditor.sources.files.spring import looks_spring, read_spring
from auditor.sources.files.strimzi import looks_strimzi, read_strimzi
from auditor.sources.files.topicctl import looks_topicctl, read_topicctl
from auditor.sources.files.yamltree import load_documents

Reader = Callable[[str, str, ReadOptions], Found]


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    reader: Reader | None  # None: read per module (terraform)
    description: str


def read_code(text: str, path: str, options: ReadOptions) -> Found:
    """Producers and consumers built in a source file (the parsers load only when one is read)."""
    from auditor.sources.code.languages import read_code as read

    return read(text, path, options)


YAML = (".yml", ".yaml")
KEY_VALUE = (".properties", ".conf", ".config", ".cfg")
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("properties", KEY_VALUE, read_client_properties, "Java client .properties"),
        Format("server-properties", KEY_VALUE, read_server_properties, "broker server.properties"),
        Format("spring", (*YAML, ".properties"), read_spring, "Spring Boot application.yml/.properties"),
        Format(
            "librdkafka",
            (".json", *YAML, *KEY_VALUE),
            None,
            "librdkafka / confluent-kafka JSON, YAML or key=value (snake_case keys: kafka-python)",
        ),
        Format("compose", YAML, read_compose, "docker-compose services"),
        Format("strimzi", YAML, read_strimzi, "Strimzi Kafka and KafkaTopic resources"),
        Format("terraform", (".tf",), None, "Terraform kafka_topic resources"),
        Format("topicctl", YAML, read_topicctl, "topicctl topic files"),
        Format("code", tuple(CODE_SUFFIXES), read_code, "producers and consumers built in application code"),
    )
}
ALL_SUFFIXES = frozenset(s for f in FORMATS.values() for s in f.suffixes)
# A file found in a folder (not named on the command line) that mentions none of these is skipped unread.
RELEVANT = re.compile(
    r"kafka|bootstrap[._-]?servers|acks|replication|broker|group[._]id|auto[._]offset|zookeeper|process\.roles|topic",
    re.I,
)


def librdkafka_reader(path: str) -> Reader:
    return read_client_dict if path.endswith((".json", *YAML)) else read_librdkafka_properties


def reader_for(format_name: str, path: str) -> Reader:
    fmt = FORMATS[format_name]
    return fmt.reader or librdkafka_reader(path)


def detect(path: str, text: str) -> str | None:
    """The format of a file, or None when it configures nothing this tool reads."""
    name = PurePath(path).name.lower()
    if name.endswith(tuple(CODE_SUFFIXES)):
        from auditor.sources.code.languages import uses_kafka

        return "code" if uses_kafka(path, text) else None
    if name.endswith(".tf"):
        return "terraform"
    if name.endswith(KEY_VALUE):
        if name.startswith(("application", "bootstrap")) and name.endswith(".properties"):
            return "spring"
        return _key_value_kind(text)
    if name.endswith(YAML):
        if name.startswith(("docker-compose", "compose")):
            return "compose"
        if name.startswith(("application", "bootstrap")):
            return "spring"
        return _yaml_kind(text)
    if name.endswith(".json"):
        return "librdkafka" if looks_client_dict(load_mapping(text, path)) else None
    return None


def _key_value_kind(text: str) -> str | None:
    """A key=value file is a Kafka configuration when it sets at least one Kafka key."""
    entries = entries_of(text)
    kind = properties_kind(entries)
    if kind in ("properties", "librdkafka"):
        known = {java_name(e.key, kind) for e in entries} & KNOWN_CLIENT_KEYS
        return kind if known else None
    return kind


def _yaml_kind(text: str) -> str | None:
    documents = load_documents(text)
    for kind, looks in (
        ("strimzi", looks_strimzi),
        ("compose", looks_compose),
        ("spring", looks_spring),
        ("topicctl", looks_topicctl),
        ("librdkafka", looks_client_dict),
    ):
        if looks(documents):
            return kind
    return None
