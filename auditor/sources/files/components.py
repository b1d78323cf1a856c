"""Kafka Connect, Kafka Streams and MirrorMaker 2 configuration files.

- a Connect worker's properties (connect-distributed.properties, connect-standalone.properties);
- a connector's properties (standalone mode) or JSON as posted to the REST API, either
  {"name": ..., "config": {...}} (POST /connectors) or the flat config (PUT /connectors/x/config);
- a Kafka Streams application's properties (application.id);
- MirrorMaker 2's mm2.properties (clusters, A->B.enabled), one MirrorFlow per flow.

Strimzi KafkaConnect / KafkaConnector / KafkaMirrorMaker2 and Confluent for Kubernetes Connector
resources are read by auditor.sources.files.strimzi with the builders here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from auditor.model import Configs, ConfigValue, Connector, ConnectWorker, MirrorFlow, StreamsApp
from auditor.sources.files.base import Entry, Found, ReadOptions, settings_of
from auditor.sources.files.clientdict import load_mapping
from auditor.sources.files.keyvalue import entries_of
from auditor.sources.files.values import Dialect
from auditor.sources.files.yamltree import Value, YList, YMap
from auditor.sources.redaction import redact

WORKER_MARKERS = frozenset(
    {
        "config.storage.topic",
        "offset.storage.topic",
        "status.storage.topic",
        "offset.storage.file.filename",
        "plugin.path",
        "connector.client.config.override.policy",
        "exactly.once.source.support",
    }
)
MM2_FLOW = re.compile(r"^([^\s>]+)->([^\s.]+)\.(.+)$")


def component_kind(keys: Iterable[str]) -> str | None:
    """Which component a key=value file configures, or None for a plain client/broker file."""
    keys = set(keys)
    if "connector.class" in keys:
        return "connector"
    if "clusters" in keys and any(MM2_FLOW.match(k) or k.endswith(".bootstrap.servers") for k in keys):
        return "mirrormaker2"
    if keys & WORKER_MARKERS:
        return "connect-worker"
    if "application.id" in keys:
        return "streams"
    return None


def _settings(entries: Iterable[Entry], path: str) -> Configs:
    return settings_of(entries, path, Dialect.PLAIN)


def _redacted(settings: Configs) -> Configs:
    """Connect and MM2 configs carry credentials: none of them is kept (auditor.sources.redaction)."""
    return {key: redact(value) for key, value in settings.items()}


def _text(settings: Configs, key: str) -> str | None:
    value = settings.get(key)
    return value.value.strip() if value is not None and value.value else None


# --------------------------------------------------------------------------- Connect


def connect_worker(name: str, path: str, fmt: str, settings: Configs) -> ConnectWorker:
    """A worker; standalone when it keeps offsets in a file, distributed when it names a group."""
    if "offset.storage.file.filename" in settings:
        distributed: bool | None = False
    elif "group.id" in settings or fmt != "connect-worker":
        distributed = True  # Strimzi and Confluent run Connect distributed
    else:
        distributed = None
    return ConnectWorker(name=name, path=path, format=fmt, settings=_redacted(settings), distributed=distributed)


def read_connect_worker(text: str, path: str, options: ReadOptions) -> Found:
    settings = _settings(entries_of(text), path)
    return Found(workers=(connect_worker(path, path, "connect-worker", settings),))


def connector_type(connector_class: str | None, settings: Mapping[str, ConfigValue]) -> str | None:
    """source or sink from the class name (FileStreamSinkConnector, MirrorSourceConnector, ...),
    else sink when it names topics to read (a sink connector must); None when nothing tells."""
    simple = (connector_class or "").rsplit(".", 1)[-1].lower()
    if simple.startswith("mirror") or re.search(r"source(connector)?$", simple):
        return "source"
    if re.search(r"sink(connector)?$", simple):
        return "sink"
    if "topics" in settings or "topics.regex" in settings:
        return "sink"
    return None


def connector(name: str, path: str, fmt: str, settings: Configs, worker: str | None = None) -> Connector:
    kind = connector_type(_text(settings, "connector.class"), settings)
    return Connector(name=name, path=path, format=fmt, settings=_redacted(settings), type=kind, worker=worker)


def read_connector_properties(text: str, path: str, options: ReadOptions) -> Found:
    settings = _settings(entries_of(text), path)
    return Found(connectors=(connector(_text(settings, "name") or path, path, "connector", settings),))


def read_connector_json(text: str, path: str, options: ReadOptions) -> Found:
    found = Found()
    for document in load_mapping(text, path):
        if isinstance(document, YMap) and (config := connector_config(document)) is not None:
            settings = _settings(_scalars(config), path)
            name = document.get("name") if isinstance(document.get("name"), str) else None
            label = str(name) if name else _text(settings, "name") or path
            found += Found(connectors=(connector(label, path, "connector-json", settings),))
    return found


def connector_config(document: YMap) -> YMap | None:
    """The connector's config in a REST body: {"config": {...}} or the flat config itself."""
    nested = document.get("config")
    if isinstance(nested, YMap) and "connector.class" in nested:
        return nested
    return document if "connector.class" in document else None


def looks_connector_json(documents: list[Value]) -> bool:
    return any(isinstance(d, YMap) and connector_config(d) is not None for d in documents)


def _scalars(mapping: YMap) -> list[Entry]:
    return [Entry(k, v, mapping.line(k)) for k, v in mapping.items() if not isinstance(v, (YMap, YList))]


# --------------------------------------------------------------------------- Streams


def streams_app(path: str, fmt: str, settings: Configs, name: str | None = None) -> StreamsApp:
    label = name or _text(settings, "application.id") or path
    return StreamsApp(name=label, path=path, format=fmt, settings=_redacted(settings))


def mirror_flow(name: str, path: str, fmt: str, flow: tuple[str, str], settings: Configs) -> MirrorFlow:
    return MirrorFlow(name, path, fmt, source=flow[0], target=flow[1], settings=_redacted(settings))


def read_streams_properties(text: str, path: str, options: ReadOptions) -> Found:
    settings = _settings(entries_of(text), path)
    return Found(streams=(streams_app(path, "streams", settings),))


# --------------------------------------------------------------------------- MirrorMaker 2


def read_mm2_properties(text: str, path: str, options: ReadOptions) -> Found:
    """One flow per `A->B.` prefix in the file (a flow set `enabled = false` is left out)."""
    entries = entries_of(text)
    shared = [e for e in entries if not MM2_FLOW.match(e.key)]
    flows: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        if match := MM2_FLOW.match(entry.key):
            flow = flows.setdefault((match.group(1), match.group(2)), [])
            flow.append(Entry(match.group(3), entry.value, entry.line))
    mirrors = []
    for (source, target), own in flows.items():
        settings = _settings([*shared, *own], path)
        if _text(settings, "enabled") == "false":
            continue
        mirrors.append(mirror_flow(f"{path} {source}->{target}", path, "mirrormaker2", (source, target), settings))
    return Found(mirrors=tuple(mirrors))
