"""DescribeConfigs, batched, with every value's source and every per-resource error.

kafka-python's `describe_configs` drops the per-resource error codes (an unauthorised topic
comes back with no configs) and filters to modified values by default, so the requests are
built and read here: all values, errors kept, one request per batch of topics and one per
broker (broker configs must be asked of that broker).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from auditor.model import KAFKA_CONFIG_SOURCES, Configs, ConfigSource, ConfigValue
from auditor.sources.live.acls import DESCRIBE_CONFIGS, Acl, on_cluster, on_topic, refused
from auditor.sources.live.session import Session
from auditor.sources.redaction import redact

TOPIC_BATCH = 250
TOPIC = 2
BROKER = 4


def topic_configs(session: Session, names: Sequence[str]) -> dict[str, Configs]:
    """Effective configs of the named topics; topics that could not be read become gaps."""
    batches = [list(names[start : start + TOPIC_BATCH]) for start in range(0, len(names), TOPIC_BATCH)]
    answers = session.parallel(
        {index: _asker(session, TOPIC, batch, None, False) for index, batch in enumerate(batches)}
    )
    return _collect(session, "topic", answers, dict(enumerate(batches)))


def broker_configs(session: Session, broker_ids: Iterable[int]) -> dict[int, Configs]:
    """All configs of each broker with synonyms, so each value's source is known; asked of that broker."""
    ids = list(broker_ids)
    answers = session.parallel({b: _asker(session, BROKER, [str(b)], b, True) for b in ids})
    by_name = _collect(session, "broker", answers, {b: [str(b)] for b in ids})
    return {int(name): configs for name, configs in by_name.items()}


def _asker(session: Session, kind: int, names: list[str], node: int | None, synonyms: bool) -> Any:
    from kafka.protocol.admin import DescribeConfigsRequest

    request = DescribeConfigsRequest(
        resources=[(kind, name, None) for name in names],
        include_synonyms=synonyms,
        min_version=1 if synonyms else 0,
    )
    return lambda: session.send(request, node_id=node)


def _collect(session: Session, kind: str, answers: dict[Any, Any], asked: dict[Any, list[str]]) -> dict[str, Configs]:
    configs: dict[str, Configs] = {}
    decoded: dict[EntryKey, ConfigValue] = {}  # each distinct entry decoded once, shared by the topics that have it
    for key, answer in answers.items():
        if isinstance(answer, Exception):
            for name in asked[key]:
                session.gap(f"{kind} {name}", f"configs not read: {refused(session, answer, _needed(kind, name))}")
            continue
        returned = set()
        for result in answer.results:
            returned.add(result.resource_name)
            if result.error_code:
                needed = _needed(kind, result.resource_name)
                reason = refused(session, result.error_code, needed, result.error_message)
                session.gap(f"{kind} {result.resource_name}", f"configs not read: {reason}")
                continue
            configs[result.resource_name] = {entry.name: _decoded(entry, decoded) for entry in result.configs}
        for name in set(asked[key]) - returned:
            session.gap(f"{kind} {name}", "configs not read: the broker did not return the resource")
    return configs


# An entry as the broker sent it: name, value, source code, sensitive, and its synonyms'
# (name, value, source). Equal keys decode to equal ConfigValues (frozen, so one can be shared).
EntryKey = tuple[str, str | None, int, bool, tuple[tuple[str, str | None, int], ...]]


def _decoded(entry: Any, decoded: dict[EntryKey, ConfigValue]) -> ConfigValue:
    """config_value(entry), from `decoded` when an equal entry was decoded before: the topics of a
    cluster share most of their entries (defaults), 20,000 topics x 33 entries are about 40 values."""
    synonyms = tuple((s.name, s.value, s.source) for s in getattr(entry, "synonyms", None) or ())
    key = (entry.name, entry.value, entry.config_source, bool(entry.is_sensitive), synonyms)
    value = decoded.get(key)
    if value is None:
        value = decoded[key] = config_value(entry)
    return value


def _needed(kind: str, name: str) -> Acl:
    """A broker's configs are the Cluster's to describe, a topic's the topic's."""
    return on_topic(DESCRIBE_CONFIGS, name) if kind == "topic" else on_cluster(DESCRIBE_CONFIGS)


def config_value(entry: Any) -> ConfigValue:
    sensitive = bool(entry.is_sensitive)
    value = ConfigValue(
        key=entry.name,
        value=None if sensitive else entry.value,
        source=_source(entry.config_source),
        detail=_shadowed(entry),
        sensitive=sensitive,
    )
    return redact(value)


def _source(code: int) -> ConfigSource:
    from kafka.admin import ConfigSourceType

    try:
        name = ConfigSourceType(code).name
    except ValueError:
        return ConfigSource.UNKNOWN
    return KAFKA_CONFIG_SOURCES.get(name, ConfigSource.UNKNOWN)


def _shadowed(entry: Any) -> str | None:
    """The lower-precedence values this one overrides (from synonyms), e.g. `over Kafka default 1`."""
    synonyms = list(getattr(entry, "synonyms", None) or [])[1:]
    if not synonyms or entry.is_sensitive:
        return None
    parts = []
    for synonym in synonyms:
        name = "" if synonym.name == entry.name else f"{synonym.name}="
        parts.append(f"{_source(synonym.source).value} {name}{synonym.value}")
    return "over " + "; ".join(parts)
