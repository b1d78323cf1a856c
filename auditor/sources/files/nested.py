"""Kafka client configurations nested in an application's own config (YAML, JSON, TOML).

A FastAPI or Django settings.yaml with `kafka: producer: {...}`, a confluent-kafka app's config.json
passed as `Producer(**cfg["producer"])`, a Go service's config.toml with `[kafka.consumer]`: a map
below the top level is a client configuration when its own keys say so. It needs one key only a
Kafka client reads (bootstrap.servers, group.id, enable.idempotence, auto.offset.reset, ... in
librdkafka's dotted, the Java or kafka-python's snake_case spelling) and a second known client
key or a name that says producer or consumer; a map named as a producer or consumer below a
`kafka` key (`kafka.producer`) needs only one client key. A generic word alone (`acks`,
`retries`, `timeout`) anywhere else never makes one.

Which client it is: the innermost key name that says so (`producer`, `publisher`, `sender`,
`writer`; `consumer`, `subscriber`, `listener`, `reader`, `receiver`), else its keys (group.id:
a consumer). A name and keys that disagree, or a map of connection settings only (bootstrap,
security) with no client below it, is a coverage gap saying why: never a guessed verdict. The
client is named `<file>#<path>` (`settings.yaml#kafka.producer`) and located at the line of the
key holding the map.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from auditor.model import ClientConfig, CoverageGap, Role
from auditor.sources.files.base import Entry, Found, ReadOptions, settings_of
from auditor.sources.files.clientkeys import KNOWN_CLIENT_KEYS, java_name, looks_python, roles_of
from auditor.sources.files.values import Dialect
from auditor.sources.files.yamltree import Value, YList, YMap

# librdkafka's nested topic-level configuration: part of the client map that holds it.
TOPIC_CONFIG_KEYS = ("default.topic.config", "topic.config")

# Keys no other kind of configuration uses: one of them must be set (Java names).
KAFKA_ONLY_KEYS = frozenset(
    {
        "bootstrap.servers",
        "group.id",
        "group.instance.id",
        "enable.idempotence",
        "enable.auto.commit",
        "enable.auto.offset.store",
        "auto.offset.reset",
        "auto.commit.interval.ms",
        "transactional.id",
        "max.in.flight.requests.per.connection",
        "delivery.timeout.ms",
        "isolation.level",
        "key.serializer",
        "value.serializer",
        "key.deserializer",
        "value.deserializer",
        "max.poll.records",
        "max.poll.interval.ms",
        "partition.assignment.strategy",
        "enable.partition.eof",
        "queue.buffering.max.messages",
    }
)
# Client keys that a topic's config map holds too: alone they do not make a client.
TOPIC_LEVEL_TOO = frozenset({"compression.type"})
ROLE_WORDS = {
    Role.PRODUCER: ("producer", "publisher", "sender", "writer"),
    Role.CONSUMER: ("consumer", "subscriber", "listener", "reader", "receiver"),
}
_KAFKA = re.compile("kafka", re.I)
_UNUSED = "which client uses them is unknown"


@dataclass(frozen=True)
class NestedMap:
    """A map below the top level of a document: its key path from the root and its line."""

    path: tuple[str, ...]
    mapping: YMap
    line: int | None

    @property
    def shown(self) -> str:
        return ".".join(self.path).replace(".[", "[")


def nested_maps(document: YMap) -> Iterator[NestedMap]:
    """Every map below the root, outer before inner; a client's own topic config is not one."""
    yield from _children(document, ())


def _children(value: Value, path: tuple[str, ...]) -> Iterator[NestedMap]:
    if isinstance(value, YMap):
        for key, child in value.items():
            if key in TOPIC_CONFIG_KEYS or not isinstance(child, (YMap, YList)):
                continue
            if isinstance(child, YMap):
                yield NestedMap((*path, key), child, value.line(key))
            yield from _children(child, (*path, key))
    elif isinstance(value, YList):
        for index, (item, line) in enumerate(zip(value, value.lines, strict=False)):
            if isinstance(item, YMap):
                yield NestedMap((*path, f"[{index}]"), item, line or None)
            yield from _children(item, (*path, f"[{index}]"))


def _library(mapping: YMap) -> str:
    return "kafka-python" if looks_python(mapping) else "librdkafka"


def _known(mapping: YMap) -> list[str]:
    """The map's scalar keys a Kafka client knows, by their Java names."""
    library = _library(mapping)
    names = [java_name(k, library) for k, v in mapping.items() if not isinstance(v, (YMap, YList))]
    return [n for n in names if n in KNOWN_CLIENT_KEYS]


@dataclass(frozen=True)
class _Both:
    """A key name that says both a producer and a consumer (`producer_consumer`)."""

    segment: str


def named_role(path: tuple[str, ...]) -> Role | _Both | None:
    """The role the innermost key name that says one says."""
    for segment in reversed(path):
        lowered = segment.lower()
        said = {role for role, words in ROLE_WORDS.items() if any(w in lowered for w in words)}
        if len(said) == 1:
            return said.pop()
        if said:
            return _Both(segment)
    return None


def looks_nested_client(nested: NestedMap) -> bool:
    """A Kafka-only key and a second client key or a role name; or, named as a role below a
    `kafka` key, any client key that is not also a topic's (compression.type)."""
    known = _known(nested.mapping)
    named = isinstance(named_role(nested.path), Role)
    if any(k in KAFKA_ONLY_KEYS for k in known) and (len(known) >= 2 or named):
        return True
    below_kafka = any(_KAFKA.search(segment) for segment in nested.path[:-1])
    return named and below_kafka and any(k not in TOPIC_LEVEL_TOO for k in known)


def has_nested_client(document: Value) -> bool:
    return isinstance(document, YMap) and any(looks_nested_client(n) for n in nested_maps(document))


def read_nested_clients(document: YMap, path: str, options: ReadOptions) -> Found:
    """The client configurations nested in one document, and a gap for each that cannot be told."""
    found = Found()
    clients = [n for n in nested_maps(document) if looks_nested_client(n)]
    for nested in clients:
        below = any(o is not nested and o.path[: len(nested.path)] == nested.path for o in clients)
        found += _client(nested, path, options, below)
    return found


def _client(nested: NestedMap, path: str, options: ReadOptions, clients_below: bool) -> Found:
    library, version = options.library(_library(nested.mapping))
    renamed = [replace(e, key=java_name(e.key, library)) for e in client_entries(nested.mapping)]
    settings = settings_of(renamed, path, Dialect.PLAIN)
    roles, why = _roles(nested.path, roles_of(settings), clients_below)
    if why is not None:
        where = f"{path}:{nested.line}" if nested.line else path
        reason = f"{nested.shown}: Kafka client settings not judged: {why}; never assumed fine"
        return Found(gaps=(CoverageGap(where, reason),))
    if not roles:
        return Found()
    name = f"{path}#{nested.shown}"
    client = ClientConfig(path, roles, library, version, settings, name=name, line=nested.line, within=nested.shown)
    return Found(clients=(client,))


def _roles(path: tuple[str, ...], keyed: frozenset[Role], clients_below: bool) -> tuple[frozenset[Role], str | None]:
    """The roles a map's name (else its keys) says, or why it cannot be told."""
    named = named_role(path)
    if isinstance(named, _Both):
        return frozenset(), f"its name {named.segment} says both producer and consumer"
    if named is not None and keyed and named not in keyed:
        other = ", ".join(sorted(r.value for r in keyed))
        return frozenset(), f"its name says {named.value} but its keys are a {other}'s"
    if named is not None:
        return frozenset({named}), None
    if not keyed and not clients_below:
        return frozenset(), f"connection settings with no producer or consumer key or name: {_UNUSED}"
    return keyed, None  # none: the shared connection settings of the clients below it


def client_entries(mapping: YMap) -> list[Entry]:
    """Top-level keys, after the nested topic-level configuration they override. A list or a
    mapping where a client setting takes one value is kept as an entry that cannot be read."""
    entries: list[Entry] = []
    for nested_key in TOPIC_CONFIG_KEYS:
        nested = mapping.get(nested_key)
        if isinstance(nested, YMap):
            entries += [_entry(nested, k) for k in nested]
    entries += [_entry(mapping, k) for k in mapping if k not in TOPIC_CONFIG_KEYS]
    return entries


def _entry(mapping: YMap, key: str) -> Entry:
    value = mapping[key]
    line = mapping.line(key) or None
    if isinstance(value, (YMap, YList)):
        shape = "a list" if isinstance(value, YList) else "a mapping"
        return Entry(key, None, line, problem=f"{shape}, not one value: the client cannot read it")
    return Entry(key, value, line)
