"""Strimzi custom resources: Kafka (spec.kafka.config) and KafkaTopic (spec.replicas, spec.config).

A KafkaTopic names its cluster with the label strimzi.io/cluster; what it does not set it
inherits from that Kafka resource (auditor.sources.files.inherit).
"""

from __future__ import annotations

from auditor.model import BrokerSettings, Configs, ConfigValue, DeclaredTopic
from auditor.sources.files.base import Found, ReadOptions, settings_of
from auditor.sources.files.values import Dialect, file_value
from auditor.sources.files.yamltree import Value, YList, YMap, load_documents, scalar_entries

FORMAT = "strimzi"
API_GROUP = "kafka.strimzi.io/"


def _is_strimzi(document: Value) -> bool:
    return isinstance(document, YMap) and str(document.get("apiVersion") or "").startswith(API_GROUP)


def read_strimzi(text: str, path: str, options: ReadOptions) -> Found:
    found = Found()
    for document in load_documents(text):
        if not isinstance(document, YMap) or not _is_strimzi(document):
            continue
        kind = document.get("kind")
        if kind == "Kafka":
            found += Found(brokers=(_kafka(document, path),))
        elif kind == "KafkaTopic":
            found += Found(topics=(_topic(document, path),))
    return found


def _child(node: Value, *keys: str) -> Value:
    for key in keys:
        node = node.get(key) if isinstance(node, YMap) else None
    return node


def _config(mapping: Value, path: str) -> Configs:
    if not isinstance(mapping, YMap):
        return {}
    return settings_of(scalar_entries(mapping), path, Dialect.PLAIN)


def _kafka(document: YMap, path: str) -> BrokerSettings:
    name = str(_child(document, "metadata", "name") or "?")
    settings = _config(_child(document, "spec", "kafka", "config"), path)
    return BrokerSettings(name=f"Kafka/{name}", path=path, format=FORMAT, settings=settings)


def _topic(document: YMap, path: str) -> DeclaredTopic:
    name = str(_child(document, "metadata", "name") or "?")
    spec = _child(document, "spec")
    cluster = _child(document, "metadata", "labels", "strimzi.io/cluster")
    replicas = spec.get("replicas") if isinstance(spec, YMap) else None
    partitions = spec.get("partitions") if isinstance(spec, YMap) else None
    topic_name = _child(spec, "topicName")
    return DeclaredTopic(
        name=f"KafkaTopic/{name}",
        topic_name=str(topic_name) if isinstance(topic_name, str) else name,
        path=path,
        format=FORMAT,
        replication_factor=_scalar(spec, "replicas", replicas, path),
        partitions=_scalar(spec, "partitions", partitions, path),
        settings=_config(_child(spec, "config"), path),
        inherits_from=f"Kafka/{cluster}" if isinstance(cluster, str) else None,
    )


def _scalar(spec: Value, key: str, value: Value, path: str) -> ConfigValue | None:
    if not isinstance(spec, YMap) or key not in spec or isinstance(value, (YMap, YList)):
        return None
    name = "replication.factor" if key == "replicas" else key
    return file_value(name, value, path, spec.line(key), Dialect.PLAIN)


def looks_strimzi(documents: list[Value]) -> bool:
    return any(_is_strimzi(d) and isinstance(d, YMap) and d.get("kind") in ("Kafka", "KafkaTopic") for d in documents)
