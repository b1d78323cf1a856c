"""What a declared topic does not set, it inherits from its cluster's broker settings.

Resolved once every file is read, so a KafkaTopic can inherit from a Kafka resource in another
file of the same audit. An inherited value has no line; a topic whose cluster is not in the
audit gets an unknown value that says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from auditor.model import BrokerSettings, ConfigSource, ConfigValue, DeclaredTopic

# The broker property a topic falls back to, and Kafka's own default for it (3.x and 4.x alike).
FALLBACKS = {
    "replication.factor": ("default.replication.factor", "1"),
    "min.insync.replicas": ("min.insync.replicas", "1"),
    "unclean.leader.election.enable": ("unclean.leader.election.enable", "false"),
}


def inherit(topics: Iterable[DeclaredTopic], brokers: Iterable[BrokerSettings]) -> tuple[DeclaredTopic, ...]:
    by_name = {b.name: b for b in brokers}
    return tuple(_resolved(t, by_name.get(t.inherits_from) if t.inherits_from else None) for t in topics)


def _resolved(topic: DeclaredTopic, broker: BrokerSettings | None) -> DeclaredTopic:
    settings = dict(topic.settings)
    for key in ("min.insync.replicas", "unclean.leader.election.enable"):
        if key not in settings:
            settings[key] = inherited(topic, broker, key)
    rf = topic.replication_factor or inherited(topic, broker, "replication.factor")
    return replace(topic, replication_factor=rf, settings=settings)


def inherited(topic: DeclaredTopic, broker: BrokerSettings | None, key: str) -> ConfigValue:
    broker_key, kafka_default = FALLBACKS[key]
    if broker is None:
        why = (
            f"not set, and its cluster {topic.inherits_from} is not in the audit"
            if topic.inherits_from
            else "not set, and the cluster's default is not known"
        )
        return ConfigValue(key, None, ConfigSource.UNKNOWN, path=topic.path, detail=why)
    found = broker.settings.get(broker_key)
    if found is None:
        detail = f"inherited: {broker.name} does not set {broker_key}"
        return ConfigValue(key, kafka_default, ConfigSource.KAFKA_DEFAULT, path=topic.path, detail=detail)
    where = f"{found.path}:{found.line}" if found.line else found.path
    detail = f"inherited from {broker.name} {broker_key} ({where})"
    if found.detail:
        detail = f"{detail}, {found.detail}"
    return ConfigValue(key, found.value, ConfigSource.FILE, path=topic.path, detail=detail)
