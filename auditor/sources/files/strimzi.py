"""Strimzi custom resources: Kafka (spec.kafka.config) and KafkaTopic (spec.replicas, spec.config),
KafkaConnect (spec.config), KafkaConnector (spec.class, spec.config), KafkaMirrorMaker2
(spec.mirrors), and Confluent for Kubernetes' Connector (spec.class, spec.configs).

A KafkaTopic names its cluster with the label strimzi.io/cluster; what it does not set it
inherits from that Kafka resource (auditor.sources.files.inherit).
"""

from __future__ import annotations

from auditor.model import BrokerSettings, Configs, ConfigValue, Connector, ConnectWorker, DeclaredTopic
from auditor.sources.files.base import Entry, Found, ReadOptions, settings_of
from auditor.sources.files.components import connect_worker, connector, mirror_flow
from auditor.sources.files.values import Dialect, file_value
from auditor.sources.files.yamltree import Value, YList, YMap, load_documents, scalar_entries

FORMAT = "strimzi"
API_GROUP = "kafka.strimzi.io/"
CFK_GROUP = "platform.confluent.io/"
KINDS = ("Kafka", "KafkaTopic", "KafkaConnect", "KafkaConnector", "KafkaMirrorMaker2")


def _is_strimzi(document: Value) -> bool:
    return isinstance(document, YMap) and str(document.get("apiVersion") or "").startswith(API_GROUP)


def _is_cfk_connector(document: Value) -> bool:
    return (
        isinstance(document, YMap)
        and str(document.get("apiVersion") or "").startswith(CFK_GROUP)
        and document.get("kind") == "Connector"
    )


def read_strimzi(text: str, path: str, options: ReadOptions) -> Found:
    every = load_documents(text)
    documents = [d for d in every if isinstance(d, YMap) and _is_strimzi(d)]
    brokers = tuple(_kafka(d, path, documents) for d in documents if d.get("kind") == "Kafka")
    topics = tuple(_topic(d, path) for d in documents if d.get("kind") == "KafkaTopic")
    found = Found(brokers=brokers, topics=topics)
    for document in documents:
        kind = document.get("kind")
        if kind == "KafkaConnect":
            found += Found(workers=(_kafka_connect(document, path),))
        elif kind == "KafkaConnector":
            found += Found(connectors=(_kafka_connector(document, path),))
        elif kind == "KafkaMirrorMaker2":
            found += _mirror_maker2(document, path)
    for other in every:
        if isinstance(other, YMap) and _is_cfk_connector(other):
            found += Found(connectors=(_cfk_connector(other, path),))
    return found


def _name(document: YMap) -> str:
    return str(_child(document, "metadata", "name") or "?")


def _kafka_connect(document: YMap, path: str) -> ConnectWorker:
    settings = _config(_child(document, "spec", "config"), path)
    return connect_worker(f"KafkaConnect/{_name(document)}", path, FORMAT, settings)


def _with_class(spec: Value, class_key: str, config_key: str, path: str) -> Configs:
    """spec.config plus spec.class as connector.class (Strimzi and CFK keep the class outside the config)."""
    settings = _config(_child(spec, config_key), path)
    connector_class = spec.get(class_key) if isinstance(spec, YMap) else None
    if isinstance(spec, YMap) and isinstance(connector_class, str):
        entry = Entry("connector.class", connector_class, spec.line(class_key))
        settings = {**settings_of([entry], path, Dialect.PLAIN), **settings}
    return settings


def _kafka_connector(document: YMap, path: str) -> Connector:
    cluster = _child(document, "metadata", "labels", "strimzi.io/cluster")
    settings = _with_class(_child(document, "spec"), "class", "config", path)
    worker = f"KafkaConnect/{cluster}" if isinstance(cluster, str) else None
    return connector(f"KafkaConnector/{_name(document)}", path, FORMAT, settings, worker)


def _cfk_connector(document: YMap, path: str) -> Connector:
    settings = _with_class(_child(document, "spec"), "class", "configs", path)
    return connector(f"Connector/{_name(document)}", path, "cfk", settings)


def _mirror_maker2(document: YMap, path: str) -> Found:
    """One flow per spec.mirrors entry: its source, checkpoint and heartbeat connectors' configs together;
    the Connect cluster MM2 runs on (spec.connectCluster's spec.clusters entry) as a worker."""
    name = _name(document)
    spec = _child(document, "spec")
    target = _child(spec, "connectCluster") or _child(spec, "target", "alias")
    mirrors = _child(spec, "mirrors")
    flows = []
    for mirror in mirrors if isinstance(mirrors, YList) else []:
        source = _child(mirror, "sourceCluster") or _child(mirror, "source", "alias")
        flow_target = _child(mirror, "targetCluster") or target
        settings: Configs = {}
        for part in ("sourceConnector", "checkpointConnector", "heartbeatConnector"):
            settings.update(_config(_child(mirror, part, "config"), path))
        label = f"KafkaMirrorMaker2/{name} {source}->{flow_target}"
        flows.append(mirror_flow(label, path, FORMAT, (str(source), str(flow_target)), settings))
    found = Found(mirrors=tuple(flows))
    clusters = _child(spec, "clusters")
    for cluster in clusters if isinstance(clusters, YList) else []:
        if _child(cluster, "alias") == target:
            worker = connect_worker(f"KafkaMirrorMaker2/{name}", path, FORMAT, _config(_child(cluster, "config"), path))
            found += Found(workers=(worker,))
    target_config = _child(spec, "target", "config")
    if isinstance(target_config, YMap):
        worker = connect_worker(f"KafkaMirrorMaker2/{name}", path, FORMAT, _config(target_config, path))
        found += Found(workers=(worker,))
    return found


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
        name=f"Kafka/{name}",
        path=path,
        format=FORMAT,
        settings=settings,
        nodes=_nodes(document, name, documents),
        namespace=_namespace(document),
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
        namespace=_namespace(document),
    )


def _namespace(document: YMap) -> str | None:
    namespace = _child(document, "metadata", "namespace")
    return namespace if isinstance(namespace, str) else None


def _scalar(spec: Value, key: str, value: Value, path: str) -> ConfigValue | None:
    if not isinstance(spec, YMap) or key not in spec or isinstance(value, (YMap, YList)):
        return None
    name = "replication.factor" if key == "replicas" else key
    return file_value(name, value, path, spec.line(key), Dialect.PLAIN)


def looks_strimzi(documents: list[Value]) -> bool:
    return any(
        (_is_strimzi(d) and isinstance(d, YMap) and d.get("kind") in KINDS) or _is_cfk_connector(d) for d in documents
    )
