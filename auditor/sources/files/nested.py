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

Settings of the map around a client (`kafka:` holding bootstrap.servers, security.protocol, acks
and the `producer:` map): applications pass the client map alone (`KafkaProducer(**cfg["kafka"]
["producer"])`), the parent's connection keys added to it (fyndiq/eventsourcing_helpers'
get_producer_config), or both merged (`{**cfg["kafka"], **cfg["kafka"]["producer"]}`): the file
does not say which. So a client takes a parent's key it does not set itself when the key is not
one the produce and consume rules judge (connection, security, identity) or when the parent's
value is what the client's library does anyway; a judged key set otherwise (acks: 1 above a
producer) is `unknown` for the client, at the parent's line, saying why: neither the parent's
value nor the default is assumed. A map whose clients below cover the roles its own keys say is
their shared settings, not a client of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from auditor.knowledge import defaults_for
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
# The keys the produce and consume rules judge (auditor/facts/producer.py and consumer.py read
# them): a parent map's value of one is not assumed to reach the client maps below it.
JUDGED_KEYS = {
    Role.PRODUCER: frozenset(
        {
            "acks",
            "retries",
            "enable.idempotence",
            "max.in.flight.requests.per.connection",
            "transactional.id",
            "delivery.timeout.ms",
            "linger.ms",
            "request.timeout.ms",
        }
    ),
    Role.CONSUMER: frozenset(
        {"enable.auto.commit", "enable.auto.offset.store", "auto.offset.reset", "isolation.level"}
    ),
}


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
    maps = list(nested_maps(document))
    clients = [n for n in maps if looks_nested_client(n)]
    for nested in clients:
        below = [o for o in clients if o is not nested and _within(o, nested)]
        above = [m for m in maps if m is not nested and _within(nested, m) and _holds_settings(m)]
        found += _client(nested, path, options, below, above)
    return found


def _within(inner: NestedMap, outer: NestedMap) -> bool:
    return inner.path[: len(outer.path)] == outer.path


def _holds_settings(nested: NestedMap) -> bool:
    """A map whose keys may be settings of the clients below it: a client-like map, or one named kafka."""
    return looks_nested_client(nested) or bool(_KAFKA.search(nested.path[-1]))


def _client(
    nested: NestedMap, path: str, options: ReadOptions, below: list[NestedMap], above: list[NestedMap]
) -> Found:
    library, version = options.library(_library(nested.mapping))
    own = _entries(nested, library)
    roles, why = _roles(nested.path, roles_of(settings_of(own, path, Dialect.PLAIN)), below, library)
    if why is not None:
        where = f"{path}:{nested.line}" if nested.line else path
        reason = f"{nested.shown}: Kafka client settings not judged: {why}; never assumed fine"
        return Found(gaps=(CoverageGap(where, reason),))
    if not roles:
        return Found()
    judged = frozenset(key for role in roles for key in JUDGED_KEYS[role])
    inherited = _inherited(nested, above, {e.key for e in own}, (judged, _defaults(library, version, roles)), library)
    settings = settings_of([*inherited, *own], path, Dialect.PLAIN)
    name = f"{path}#{nested.shown}"
    client = ClientConfig(path, roles, library, version, settings, name=name, line=nested.line, within=nested.shown)
    return Found(clients=(client,))


def _entries(nested: NestedMap, library: str) -> list[Entry]:
    return [replace(e, key=java_name(e.key, library)) for e in client_entries(nested.mapping)]


def _roles(
    path: tuple[str, ...], keyed: frozenset[Role], below: list[NestedMap], library: str
) -> tuple[frozenset[Role], str | None]:
    """The roles a map's name (else its keys) says, or why it cannot be told; a map's own keys are
    the shared settings of the clients below it for the roles they cover."""
    named = named_role(path)
    if isinstance(named, _Both):
        return frozenset(), f"its name {named.segment} says both producer and consumer"
    if named is not None and keyed and named not in keyed:
        other = ", ".join(sorted(r.value for r in keyed))
        return frozenset(), f"its name says {named.value} but its keys are a {other}'s"
    if named is not None:
        return frozenset({named}), None
    if not keyed and not below:
        return frozenset(), f"connection settings with no producer or consumer key or name: {_UNUSED}"
    covered = frozenset(r for b in below for r in _said_roles(b, library))
    return keyed - covered, None  # none: the shared settings of the clients below it


def _said_roles(nested: NestedMap, library: str) -> frozenset[Role]:
    """The roles a map below says by its name, else by its own keys."""
    named = named_role(nested.path)
    if isinstance(named, Role):
        return frozenset({named})
    if isinstance(named, _Both):
        return frozenset(Role)
    return roles_of(settings_of(_entries(nested, library), "", Dialect.PLAIN))


def _defaults(library: str, version: str | None, roles: frozenset[Role]) -> dict[str, str]:
    """What the client's library uses for each key its roles have, when the client omits it."""
    defaults = defaults_for(library, version)
    consumer = dict(defaults.consumer) if Role.CONSUMER in roles else {}
    return {**consumer, **(defaults.producer if Role.PRODUCER in roles else {})}


def _inherited(
    nested: NestedMap,
    above: list[NestedMap],
    own: set[str],
    judged: tuple[frozenset[str], dict[str, str]],
    library: str,
) -> list[Entry]:
    """The settings of the maps around a client that it does not set itself (the nearest map's, for a
    key several set): as written when no rule judges the key for the client's roles or when the value
    is what its library does anyway, else unknown at the parent's line (whether the application
    merges the parent into the client's map is not written in the file)."""
    keys, defaults = judged
    entries: list[Entry] = []
    seen = set(own)
    for parent in sorted(above, key=lambda m: -len(m.path)):
        for entry in _entries(parent, library):
            if entry.key in seen or entry.key not in KNOWN_CLIENT_KEYS or entry.problem is not None:
                continue
            seen.add(entry.key)
            if entry.key not in keys or _same(entry.value, defaults.get(entry.key)):
                entries.append(entry)
                continue
            problem = (
                f"{parent.shown} sets {entry.key}={entry.value}, which reaches {nested.shown} only if the "
                f"application merges {parent.shown} into it; without that, the client's default"
            )
            entries.append(replace(entry, value=None, problem=problem))
    return entries[::-1]  # outer first: settings_of keeps the last of a key, and each key is here once


def _same(value: str | None, default: str | None) -> bool:
    """Whether a parent's value is what the library does anyway (`-1` is `all`, case and spaces aside)."""
    if value is None or default is None:
        return False
    spelled = {"-1": "all"}
    a, b = value.strip().lower(), default.strip().lower()
    return spelled.get(a, a) == spelled.get(b, b)


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
