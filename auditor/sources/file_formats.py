"""The configuration file formats auditor.sources.files reads: one `Format` entry each, in detection order.

An entry says how a file name claims the format (its suffixes, and name patterns that decide it
outright), how content claims it, and how it is read: one file at a time (`reader`) or all the
chosen files of a folder together (`folder_reader`: Terraform modules, Spring profile files), or
all the chosen files of the audit together (`audit_reader`: Kubernetes manifests, whose workloads
name ConfigMaps of other files and run the Spring application files of their project, its `context`).
Detection, the folder walk, `--file-format` and its help all read this registry.

Readers and content claims import their module only when called: `kafka-audit --help` lists the
formats without loading a YAML, HCL or properties parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache, cached_property
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from auditor.sources.code import SUFFIXES as CODE_SUFFIXES

if TYPE_CHECKING:
    from auditor.sources.files.base import Entry, FileText, Found, ReadOptions
    from auditor.sources.files.yamltree import Value

Reader = Callable[[str, str, "ReadOptions"], "Found"]
FolderReader = Callable[[Path, Sequence["FileText"], "ReadOptions"], "Found"]
# The chosen files of the format from the whole audit, and the chosen files of its `context` formats by name.
AuditReader = Callable[[Sequence["FileText"], Mapping[str, Sequence["FileText"]], "ReadOptions"], "Found"]

YAML = (".yml", ".yaml")
KEY_VALUE = (".properties", ".conf", ".config", ".cfg")
JSON = (".json",)
# Application configs read only for the Kafka client maps nested in them: one that holds none
# (a pyproject.toml listing kafka-python) is not reported as unrecognised when found in a folder.
TOML = (".toml",)
DOTENV = (".env",)
SPRING = (*YAML, ".properties")  # what Spring Boot reads
# A file found in a folder that mentions Kafka but is not recognised is reported as a gap; one that
# does not is simply not Kafka's (a CI workflow, a chart's other values).
MENTIONS_KAFKA = re.compile(r"kafka", re.I)


@cache
def relevant() -> re.Pattern[str]:
    """What a file found in a folder (not named on the command line) must mention to be detected at
    all, unless its format skims on its own (`skim=False`: source code has its import pre-filter).

    A superset of what the content claims look for: every client and broker key they know, in any
    spelling (dots, underscores, dashes, camelCase), and the formats' markers; so the pre-filter never
    changes a verdict: a file gets the same findings named or found in a folder.
    """
    from auditor.sources.files.clientkeys import KNOWN_CLIENT_KEYS, LIBRDKAFKA_ONLY
    from auditor.sources.files.keyvalue import BROKER_MARKERS

    keys = KNOWN_CLIENT_KEYS | LIBRDKAFKA_ONLY | BROKER_MARKERS
    spelled = sorted({re.escape(key).replace(r"\.", "[._-]?").replace(r"\-", "[._-]?") for key in keys})
    markers = ["kafka", "bootstrap[._-]?servers", "replication", "broker", "zookeeper", "topic", r"^meta\s*:"]
    markers += ["connector[._-]?class", "application[._-]?id"]  # Connect connectors, Streams applications
    return re.compile("|".join([*markers, *spelled]), re.I | re.M)


class Content:
    """A file's text, parsed at most once as whatever its suffix says it is."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.key_value = path.lower().endswith(KEY_VALUE)

    @cached_property
    def entries(self) -> list[Entry]:
        from auditor.sources.files.keyvalue import entries_of

        return entries_of(self.text)

    @cached_property
    def properties_kind(self) -> str | None:
        """spring, server-properties, librdkafka or properties; None when no Kafka client key is set."""
        from auditor.sources.files.clientkeys import KNOWN_CLIENT_KEYS, java_name
        from auditor.sources.files.keyvalue import properties_kind

        kind = properties_kind(self.entries)
        if kind not in ("properties", "librdkafka"):
            return kind
        return kind if {java_name(e.key, kind) for e in self.entries} & KNOWN_CLIENT_KEYS else None

    @cached_property
    def component(self) -> str | None:
        """connect-worker, connector, streams or mirrormaker2 for a key=value file that configures one."""
        from auditor.sources.files.components import component_kind

        if not self.key_value or self.properties_kind == "spring":
            return None
        return component_kind(e.key for e in self.entries)

    @cached_property
    def documents(self) -> list[Value]:
        """YAML documents; JSON is read as YAML to keep lines (auditor.sources.files.clientdict)."""
        from auditor.sources.files.clientdict import load_mapping

        return load_mapping(self.text, self.path)


@dataclass(frozen=True)
class Format:
    name: str
    description: str  # the `--file-format` help
    suffixes: tuple[str, ...]
    claims: Callable[[Content], bool]  # by content, asked only of a file with one of `suffixes`
    reader: Reader | None = None
    folder_reader: FolderReader | None = None
    file_names: tuple[str, ...] = ()  # glob patterns of (lower-cased) file names that claim a file outright
    skim: bool = True  # a file found in a folder is read only when its text matches relevant()
    audit_reader: AuditReader | None = None
    context: tuple[str, ...] = ()  # formats whose chosen files an audit reader also gets (read, not judged)

    def __post_init__(self) -> None:
        if sum(r is not None for r in (self.reader, self.folder_reader, self.audit_reader)) != 1:
            raise ValueError(f"format {self.name}: give a reader, a folder reader or an audit reader")

    def claims_name(self, name: str) -> bool:
        return any(fnmatchcase(name, pattern) for pattern in self.file_names)


# --- content claims


def _yaml_claim(looks: Callable[[list[Value]], bool]) -> Callable[[Content], bool]:
    return lambda content: not content.key_value and looks(content.documents)


def _looks_strimzi(documents: list[Value]) -> bool:
    from auditor.sources.files.strimzi import looks_strimzi

    return looks_strimzi(documents)


def _looks_kubernetes(documents: list[Value]) -> bool:
    from auditor.sources.files.kubernetes import looks_kubernetes

    return looks_kubernetes(documents)


def _looks_compose(documents: list[Value]) -> bool:
    from auditor.sources.files.compose import looks_compose

    return looks_compose(documents)


def _looks_spring(documents: list[Value]) -> bool:
    from auditor.sources.files.spring import looks_spring

    return looks_spring(documents)


def _looks_topicctl(documents: list[Value]) -> bool:
    from auditor.sources.files.topicctl import looks_topicctl

    return looks_topicctl(documents)


def _looks_client_dict(documents: list[Value]) -> bool:
    from auditor.sources.files.clientdict import looks_client_dict

    return looks_client_dict(documents)


def _looks_connector_json(documents: list[Value]) -> bool:
    from auditor.sources.files.components import looks_connector_json

    return looks_connector_json(documents)


def _component_claim(kind: str) -> Callable[[Content], bool]:
    return lambda content: content.component == kind


def _spring_claim(content: Content) -> bool:
    return content.properties_kind == "spring" if content.key_value else _looks_spring(content.documents)


def _librdkafka_claim(content: Content) -> bool:
    return content.properties_kind == "librdkafka" if content.key_value else _looks_client_dict(content.documents)


# --- readers


def _read_properties(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.keyvalue import read_client_properties

    return read_client_properties(text, path, options)


def _read_server_properties(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.keyvalue import read_server_properties

    return read_server_properties(text, path, options)


def _read_librdkafka(text: str, path: str, options: ReadOptions) -> Found:
    """librdkafka / confluent-kafka / kafka-python: a JSON, YAML or TOML mapping (client maps nested
    in an application's config too), or key=value lines."""
    if path.lower().endswith((*JSON, *YAML, *TOML)):
        from auditor.sources.files.clientdict import read_client_dict

        return read_client_dict(text, path, options)
    from auditor.sources.files.keyvalue import read_librdkafka_properties

    return read_librdkafka_properties(text, path, options)


def _looks_dotenv(content: Content) -> bool:
    from auditor.sources.files.dotenv import looks_dotenv_clients

    return looks_dotenv_clients(content.text)


def _read_dotenv(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.dotenv import read_dotenv_clients

    return read_dotenv_clients(text, path, options)


def _read_compose(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.compose import read_compose

    return read_compose(text, path, options)


def _read_kubernetes(
    files: Sequence[FileText], context: Mapping[str, Sequence[FileText]], options: ReadOptions
) -> Found:
    from auditor.sources.files.kubernetes import read_kubernetes_files

    return read_kubernetes_files(files, context, options)


def _read_strimzi(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.strimzi import read_strimzi

    return read_strimzi(text, path, options)


def _read_topicctl(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.topicctl import read_topicctl

    return read_topicctl(text, path, options)


def _read_connect_worker(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.components import read_connect_worker

    return read_connect_worker(text, path, options)


def _read_connector(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.components import read_connector_properties

    return read_connector_properties(text, path, options)


def _read_connector_json(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.components import read_connector_json

    return read_connector_json(text, path, options)


def _read_streams(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.components import read_streams_properties

    return read_streams_properties(text, path, options)


def _read_mirrormaker2(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.files.components import read_mm2_properties

    return read_mm2_properties(text, path, options)


def _uses_kafka(content: Content) -> bool:
    from auditor.sources.code.languages import uses_kafka

    return uses_kafka(content.path, content.text)


def _read_code(text: str, path: str, options: ReadOptions) -> Found:
    from auditor.sources.code.languages import read_code

    return read_code(text, path, options)


def _read_spring_folder(folder: Path, files: Sequence[FileText], options: ReadOptions) -> Found:
    from auditor.sources.files.spring import read_spring_files

    return read_spring_files(folder, files, options)


def _read_terraform_module(folder: Path, files: Sequence[FileText], options: ReadOptions) -> Found:
    from auditor.sources.files.terraform import read_terraform_files

    return read_terraform_files(folder, files)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "code",
            "producers and consumers built in application code",
            tuple(CODE_SUFFIXES),
            _uses_kafka,
            _read_code,
            skim=False,
        ),
        Format(
            "terraform",
            "Terraform kafka_topic resources",
            (".tf",),
            claims=lambda content: True,
            folder_reader=_read_terraform_module,
        ),
        Format(
            "strimzi",
            "Strimzi Kafka, KafkaTopic, KafkaConnect, KafkaConnector and KafkaMirrorMaker2; Confluent for "
            "Kubernetes Connector",
            YAML,
            _yaml_claim(_looks_strimzi),
            _read_strimzi,
        ),
        Format(
            "kubernetes",
            "Kubernetes workloads' Spring Boot environment (relaxed binding) and ConfigMaps holding client files",
            YAML,
            _yaml_claim(_looks_kubernetes),
            audit_reader=_read_kubernetes,  # a workload names ConfigMaps of other files, runs the Spring files
            context=("spring",),
        ),
        Format(
            "compose",
            "docker-compose services",
            YAML,
            _yaml_claim(_looks_compose),
            _read_compose,
            file_names=tuple(f"{name}*{suffix}" for name in ("docker-compose", "compose") for suffix in YAML),
        ),
        Format(
            "spring",
            "Spring Boot application.yml/.properties",
            SPRING,
            _spring_claim,
            folder_reader=_read_spring_folder,
            file_names=tuple(f"{name}*{suffix}" for name in ("application", "bootstrap") for suffix in SPRING),
        ),
        # Connect, Streams and MirrorMaker 2 before the client formats: a worker's group.id is not a consumer's.
        Format(
            "connect-worker",
            "Kafka Connect worker .properties",
            KEY_VALUE,
            _component_claim("connect-worker"),
            _read_connect_worker,
        ),
        Format(
            "connector",
            "Kafka Connect connector .properties (standalone)",
            KEY_VALUE,
            _component_claim("connector"),
            _read_connector,
        ),
        Format(
            "connector-json",
            "Kafka Connect connector JSON, as posted to the REST API",
            JSON,
            lambda content: _looks_connector_json(content.documents),
            _read_connector_json,
        ),
        Format("streams", "Kafka Streams .properties", KEY_VALUE, _component_claim("streams"), _read_streams),
        Format(
            "mirrormaker2",
            "MirrorMaker 2 mm2.properties",
            KEY_VALUE,
            _component_claim("mirrormaker2"),
            _read_mirrormaker2,
        ),
        Format(
            "server-properties",
            "broker server.properties",
            KEY_VALUE,
            lambda content: content.properties_kind == "server-properties",
            _read_server_properties,
        ),
        Format("topicctl", "topicctl topic files", YAML, _yaml_claim(_looks_topicctl), _read_topicctl),
        Format(
            "librdkafka",
            "librdkafka / confluent-kafka JSON, YAML, TOML or key=value (snake_case keys: kafka-python), "
            "also as producer/consumer maps nested in an application's config (settings.yaml#kafka.producer)",
            (*JSON, *YAML, *TOML, *KEY_VALUE),
            _librdkafka_claim,
            _read_librdkafka,
        ),
        Format(
            "dotenv",
            ".env files' KAFKA_PRODUCER_* / KAFKA_CONSUMER_* client settings (library from the build files beside it)",
            DOTENV,
            _looks_dotenv,
            _read_dotenv,
        ),
        Format(
            "properties",
            "Java client .properties",
            KEY_VALUE,
            lambda content: content.properties_kind == "properties",
            _read_properties,
        ),
    )
}
ALL_SUFFIXES = frozenset(s for f in FORMATS.values() for s in f.suffixes)


def detect(path: str, text: str) -> Format | None:
    """The format of a file: the first whose name claim fits, else the first whose content claim does;
    None when it configures nothing this tool reads. Raises ParseError for a file that cannot be parsed."""
    name = PurePath(path).name.lower()
    candidates = [f for f in FORMATS.values() if name.endswith(f.suffixes)]
    named = next((f for f in candidates if f.claims_name(name)), None)
    if named is not None:
        return named
    content = Content(path, text)
    return next((f for f in candidates if f.claims(content)), None)


def mentions_kafka(path: str, text: str) -> bool:
    """Whether a file found in a folder is worth detecting: its text names Kafka things, or a
    format its name fits skims on its own."""
    return not skims(path) or relevant().search(text) is not None


def quiet_when_unrecognised(path: str) -> bool:
    """A file found in a folder that only the nested-client reading could claim (TOML, .env): one
    that holds no client is not Kafka configuration, even when it names Kafka (a dependency list,
    a broker's or compose's variables)."""
    return path.lower().endswith((*TOML, *DOTENV))


def skims(path: str) -> bool:
    """Whether a file found in a folder is first skimmed by `relevant()` (source code is not)."""
    name = PurePath(path).name.lower()
    return all(f.skim for f in FORMATS.values() if name.endswith(f.suffixes))


def formats_help() -> str:
    """One line per format, for `--file-format`."""
    return "; ".join(f"{f.name}: {f.description}" for f in FORMATS.values())
