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
    documents = [d for d in load_documents(text) if isinstance(d, YMap) and _is_strimzi(d)]
    brokers = tuple(_kafka(d, path, documents) for d in documents if d.get("kind") == "Kafka")
    topics = tuple(_topic(d, path) for d in documents if d.get("kind") == "KafkaTopic")
    return Found(brokers=brokers, topics=topics)


def _child(node: Value, *keys: str) -> Value:
    for key in keys:
        node = node.get(key) if isinstance(node, YMap) else None
    return node


def _config(mapping: Value, path: str) -> Configs:
    if not isinstance(mapping, YMap):
        return {}
    return settings_of(scalar_entries(mapping), path, Dialect.PLAIN)


def _kafka(document: YMap, path: str, documents: list[YMap]) -> BrokerSettings:
    name = str(_child(document, "metadata", "name") or "?")
    settings = _config(_child(document, "spec", "kafka", "config"), path)
    rack = _child(document, "spec", "kafka", "rack")
    if isinstance(rack, YMap) and "broker.rack" not in settings:  # Strimzi sets broker.rack from a node label
        key = rack.get("topologyKey")
        value = f"node label {key}" if isinstance(key, str) else None
        settings["broker.rack"] = file_value("broker.rack", value, path, rack.line("topologyKey"), Dialect.PLAIN)
    return BrokerSettings(
        name=f"Kafka/{name}", path=path, format=FORMAT, settings=settings, nodes=_nodes(document, name, documents)
    )


def _nodes(kafka: YMap, name: str, documents: list[YMap]) -> int | None:
    """Brokers of the cluster: spec.kafka.replicas, or the broker node pools in the same file."""
    replicas = _child(kafka, "spec", "kafka", "replicas")
    pools = [
        _child(d, "spec", "replicas")
        for d in documents
        if d.get("kind") == "KafkaNodePool"
        and _child(d, "metadata", "labels", "strimzi.io/cluster") == name
        and "broker" in (_child(d, "spec", "roles") or [])
    ]
    if pools:
        counts = [int(p) if isinstance(p, str) and p.isdigit() else None for p in pools]
        return None if None in counts else sum(c or 0 for c in counts)
    return int(replicas) if isinstance(replicas, str) and replicas.isdigit() else None


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
