"""Fixtures of the Kafka Connect (CNX*), Kafka Streams (STR*) and MirrorMaker 2 (MM2*) rules.

Configuration fixtures are read through the real readers from text in the shape of public files:
Kafka's config/connect-distributed.properties, connect-standalone.properties and
connect-mirror-maker.properties, Confluent's connector JSON as posted to the REST API
(docs.confluent.io "Kafka Connect REST API"), Strimzi's examples/connect/kafka-connect.yaml and
examples/mirror-maker/kafka-mirror-maker-2.yaml, and Kafka's streams examples (WordCountDemo).
"""

from __future__ import annotations

from auditor.model import ClusterSnapshot, ConfigSource, Connector, ConnectorTask, ConsumerGroup, Estate, Topic
from auditor.sources.files.base import Found, ReadOptions
from auditor.sources.files.components import (
    read_connect_worker,
    read_connector_json,
    read_connector_properties,
    read_mm2_properties,
    read_streams_properties,
)
from auditor.sources.files.strimzi import read_strimzi
from tests.builders import broker, config, snapshot, topic
from tests.rule_cases import RuleCase, fails, passes, unknown

DISTRIBUTED = """\
# A Kafka Connect distributed worker (the shape of Kafka's config/connect-distributed.properties)
bootstrap.servers=localhost:9092
group.id=connect-cluster
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.storage.topic=connect-offsets
offset.storage.replication.factor={rf}
config.storage.topic=connect-configs
config.storage.replication.factor=3
status.storage.topic=connect-status
status.storage.replication.factor=3
offset.flush.interval.ms=10000
plugin.path=/usr/share/java
"""
STANDALONE = """\
# Kafka's config/connect-standalone.properties
bootstrap.servers=localhost:9092
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.storage.file.filename=/tmp/connect.offsets
offset.flush.interval.ms=10000
"""


def found(estate_parts: Found, cluster: ClusterSnapshot | None = None) -> Estate:
    return Estate(
        cluster=cluster,
        connect_workers=estate_parts.workers,
        connectors=estate_parts.connectors,
        streams_apps=estate_parts.streams,
        mirror_flows=estate_parts.mirrors,
    )


def worker(text: str, extra: str = "", cluster: ClusterSnapshot | None = None) -> Estate:
    return found(read_connect_worker(text + extra, "connect-distributed.properties", ReadOptions()), cluster)


def distributed(rf: str = "3", extra: str = "", cluster: ClusterSnapshot | None = None) -> Estate:
    return worker(DISTRIBUTED.replace("{rf}", rf), extra, cluster)


def sink_json(extra: dict[str, str]) -> Estate:
    """A sink connector as POSTed to /connectors (Confluent's REST API examples)."""
    import json

    body = {
        "name": "orders-to-s3",
        "config": {
            "connector.class": "io.confluent.connect.s3.S3SinkConnector",
            "tasks.max": "2",
            "topics": "orders",
            "s3.bucket.name": "orders-archive",
            **extra,
        },
    }
    return found(read_connector_json(json.dumps(body, indent=2), "orders-to-s3.json", ReadOptions()))


def source_properties(extra: str = "") -> Estate:
    """A standalone FileStreamSource connector (Kafka's config/connect-file-source.properties)."""
    text = "name=local-file-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile=test.txt\ntopic=connect-test\n"
    return found(read_connector_properties(text + extra, "connect-file-source.properties", ReadOptions()))


def live_connector(state: str, *task_states: str) -> Estate:
    tasks = tuple(
        ConnectorTask(i, s, "127.0.0.1:8083", "java.lang.NullPointerException\n\tat ...")
        for i, s in enumerate(task_states)
    )
    connector = Connector(
        name="orders-sink",
        path="http://127.0.0.1:8083",
        format="connect-rest",
        settings={"connector.class": config("connector.class", "FileStreamSink", ConfigSource.FILE)},
        type="sink",
        state=state,
        tasks=tasks,
    )
    return Estate(connectors=(connector,))


STRIMZI_CONNECT = """\
# Strimzi examples/connect/kafka-connect.yaml
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaConnect
metadata:
  name: my-connect-cluster
spec:
  replicas: 1
  bootstrapServers: my-cluster-kafka-bootstrap:9093
  config:
    group.id: connect-cluster
    offset.storage.topic: connect-cluster-offsets
    config.storage.topic: connect-cluster-configs
    status.storage.topic: connect-cluster-status
    config.storage.replication.factor: -1
    offset.storage.replication.factor: -1
    status.storage.replication.factor: -1
"""


def strimzi(text: str, cluster: ClusterSnapshot | None = None) -> Estate:
    return found(read_strimzi(text, "kafka-connect.yaml", ReadOptions()), cluster)


def streams(extra: str = "") -> Estate:
    text = "application.id=streams-wordcount\nbootstrap.servers=localhost:9092\n" + extra
    return found(read_streams_properties(text, "wordcount.properties", ReadOptions()))


MM2 = """\
# Kafka's config/connect-mirror-maker.properties
clusters = A, B
A.bootstrap.servers = A_host1:9092, A_host2:9092
B.bootstrap.servers = B_host1:9092, B_host2:9092
A->B.enabled = true
A->B.topics = .*
B->A.enabled = false
replication.factor=1
checkpoints.topic.replication.factor=1
heartbeats.topic.replication.factor=1
offset-syncs.topic.replication.factor=1
"""
MM2_SAFE = """\
clusters = A, B
A.bootstrap.servers = A_host1:9092
B.bootstrap.servers = B_host1:9092
A->B.enabled = true
replication.factor=3
A->B.sync.group.offsets.enabled = true
"""


def mm2(text: str) -> Estate:
    return found(read_mm2_properties(text, "mm2.properties", ReadOptions()))


def cluster_of(*topics: Topic, groups: tuple[str, ...] = (), default_rf: str | None = None) -> ClusterSnapshot:
    configs = {} if default_rf is None else {"default_replication_factor": default_rf}
    members = tuple(ConsumerGroup(id=g, protocol_type="consumer") for g in groups)
    return snapshot(
        *topics,
        broker_list=[broker(i, "auto", ConfigSource.STATIC_BROKER, **configs) for i in (1, 2, 3)],
        groups=members,
    )


def on_cluster(*topics: Topic, groups: tuple[str, ...] = (), default_rf: str | None = None) -> Estate:
    return Estate(cluster=cluster_of(*topics, groups=groups, default_rf=default_rf))


def compacted(name: str, rf: int = 3, policy: str = "compact", min_isr: str = "2") -> Topic:
    built = topic(name, rf=rf, min_isr=min_isr)
    return Topic(
        built.name,
        built.internal,
        built.partitions,
        {**built.configs, "cleanup.policy": config("cleanup.policy", policy)},
    )


CASES: list[RuleCase] = [
    # --- workers
    fails("CNX001", "distributed-offsets-rf-1", distributed("1"), "high", "connect-distributed.properties"),
    fails("CNX001", "distributed-offsets-rf-2", distributed("2"), "medium"),
    passes("CNX001", "distributed-rf-3", distributed("3")),
    passes("CNX001", "standalone-keeps-offsets-in-a-file", worker(STANDALONE)),
    unknown("CNX001", "rf-minus-1-no-brokers-seen", distributed("-1"), "medium"),
    fails("CNX001", "rf-minus-1-broker-default-1", distributed("-1", cluster=cluster_of(default_rf="1")), "high"),
    passes("CNX001", "rf-minus-1-broker-default-3", distributed("-1", cluster=cluster_of(default_rf="3"))),
    unknown(
        "CNX001",
        "strimzi-rf-minus-1-no-brokers-seen",
        strimzi(STRIMZI_CONNECT),
        "medium",
        "KafkaConnect/my-connect-cluster",
    ),
    unknown("CNX001", "placeholder", distributed("${env:OFFSETS_RF}"), "medium"),
    fails("CNX002", "default-policy-all", distributed(), "low"),
    passes("CNX002", "policy-none", distributed(extra="connector.client.config.override.policy=None\n")),
    passes(
        "CNX002",
        "policy-class-name",
        distributed(
            extra="connector.client.config.override.policy=org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy\n"
        ),
    ),
    unknown(
        "CNX002",
        "custom-policy-class",
        distributed(extra="connector.client.config.override.policy=com.example.Ours\n"),
        "low",
    ),
    fails("CNX003", "eos-disabled-by-default", distributed(), "low"),
    passes("CNX003", "eos-enabled", distributed(extra="exactly.once.source.support=enabled\n")),
    passes("CNX003", "standalone-has-no-eos", worker(STANDALONE)),
    fails("CNX004", "worker-producer-acks-1", distributed(extra="producer.acks=1\n"), "high"),
    passes("CNX004", "connect-default-acks-all", distributed()),
    unknown("CNX004", "worker-producer-acks-placeholder", distributed(extra="producer.acks=\n"), "high"),
    fails("CNX005", "worker-consumer-latest", distributed(extra="consumer.auto.offset.reset=latest\n"), "medium"),
    passes("CNX005", "connect-default-earliest", distributed()),
    # --- connectors
    fails("CNX010", "sink-tolerance-all-no-dlq", sink_json({"errors.tolerance": "all"}), "high", "orders-to-s3"),
    passes(
        "CNX010",
        "sink-tolerance-all-with-dlq",
        sink_json({"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "dlq-orders"}),
    ),
    passes("CNX010", "default-tolerance-none", sink_json({})),
    fails("CNX010", "source-tolerance-all", source_properties("errors.tolerance=all\n"), "high"),
    unknown("CNX010", "tolerance-empty", sink_json({"errors.tolerance": ""}), "high"),
    unknown("CNX010", "tolerance-not-a-value-connect-takes", sink_json({"errors.tolerance": "most"}), "high"),
    fails(
        "CNX011",
        "dlq-rf-1",
        sink_json({"errors.deadletterqueue.topic.name": "dlq", "errors.deadletterqueue.topic.replication.factor": "1"}),
        "high",
    ),
    passes("CNX011", "dlq-default-rf-3", sink_json({"errors.deadletterqueue.topic.name": "dlq"})),
    passes("CNX011", "no-dlq", sink_json({})),
    fails("CNX012", "acks-override-1", source_properties("producer.override.acks=1\n"), "high", "local-file-source"),
    passes("CNX012", "acks-override-all", source_properties("producer.override.acks=all\n")),
    passes("CNX012", "no-override", source_properties()),
    fails("CNX013", "offset-reset-latest", sink_json({"consumer.override.auto.offset.reset": "latest"}), "medium"),
    passes("CNX013", "no-override", sink_json({})),
    fails("CNX014", "task-failed", live_connector("RUNNING", "RUNNING", "FAILED"), "high", "orders-sink"),
    fails("CNX014", "connector-failed", live_connector("FAILED"), "high"),
    passes("CNX014", "all-running", live_connector("RUNNING", "RUNNING")),
    passes("CNX014", "file-connector-has-no-status", sink_json({})),
    # --- internal topics on the cluster
    fails("CNX020", "offsets-rf-1", on_cluster(compacted("connect-offsets", rf=1)), "high", "connect-offsets"),
    fails(
        "CNX020", "named-by-worker-file", distributed(cluster=cluster_of(compacted("connect-configs", rf=2))), "medium"
    ),
    passes(
        "CNX020",
        "rf-3",
        on_cluster(compacted("connect-offsets"), compacted("connect-configs"), compacted("connect-status")),
    ),
    fails("CNX021", "delete-policy", on_cluster(compacted("docker-connect-status", policy="delete")), "medium"),
    passes("CNX021", "compacted", on_cluster(compacted("docker-connect-status"))),
    fails("CNX022", "min-isr-1", on_cluster(compacted("connect-cluster-offsets", min_isr="1")), "medium"),
    passes("CNX022", "min-isr-2", on_cluster(compacted("connect-cluster-offsets"))),
    # --- Streams configuration
    fails(
        "STR001",
        "log-and-continue",
        streams(
            "default.deserialization.exception.handler=org.apache.kafka.streams.errors.LogAndContinueExceptionHandler\n"
        ),
        "high",
        "streams-wordcount",
    ),
    fails(
        "STR001",
        "log-and-continue-4x-name",
        streams("deserialization.exception.handler=org.apache.kafka.streams.errors.LogAndContinueExceptionHandler\n"),
        "high",
    ),
    passes("STR001", "default-log-and-fail", streams()),
    unknown(
        "STR001", "custom-handler", streams("deserialization.exception.handler=com.example.SendToDlqHandler\n"), "high"
    ),
    fails(
        "STR002",
        "production-continues",
        streams(
            "production.exception.handler=org.apache.kafka.streams.errors.AlwaysContinueProductionExceptionHandler\n"
        ),
        "high",
    ),
    unknown(  # a deserialization handler as the production handler: Streams does not start, nothing is judged
        "STR002",
        "deserialization-handler-named",
        streams("production.exception.handler=org.apache.kafka.streams.errors.LogAndContinueExceptionHandler\n"),
        "high",
    ),
    passes("STR002", "default-fails", streams()),
    unknown(
        "STR002", "custom-handler", streams("default.production.exception.handler=com.example.IgnoreTooLarge\n"), "high"
    ),
    fails(
        "STR003",
        "processing-continues",
        streams(
            "processing.exception.handler=org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler\n"
        ),
        "high",
    ),
    passes("STR003", "default-fails", streams()),
    fails("STR004", "rf-1", streams("replication.factor=1\n"), "high"),
    passes("STR004", "rf-3", streams("replication.factor=3\n")),
    unknown("STR004", "default-minus-1-no-brokers-seen", streams(), "medium"),
    # STR005 fires only for applications the policy declares exactly-once: the default list is empty.
    passes("STR005", "not-declared", streams()),
    RuleCase(
        "STR005",
        "declared-runs-at-least-once",
        streams(),
        "fail",
        "high",
        params={"exactly_once_applications": ["streams-wordcount"]},
    ),
    RuleCase(
        "STR005",
        "declared-runs-exactly-once-v2",
        streams("processing.guarantee=exactly_once_v2\n"),
        "pass",
        params={"exactly_once_applications": ["streams-wordcount"]},
    ),
    # --- Streams topics on the cluster
    fails(
        "STR010",
        "changelog-rf-1",
        on_cluster(topic("streams-wordcount-counts-store-changelog", rf=1), groups=("streams-wordcount",)),
        "high",
        "streams-wordcount-counts-store-changelog",
    ),
    passes(
        "STR010",
        "changelog-rf-3",
        on_cluster(topic("streams-wordcount-counts-store-changelog"), groups=("streams-wordcount",)),
    ),
    fails(
        "STR010",
        "application-without-group",
        on_cluster(topic("other-app-store-changelog", rf=1), groups=("orders",)),
        "high",
        "other-app-store-changelog",
    ),
    fails(
        "STR011",
        "repartition-min-isr-1",
        on_cluster(topic("streams-wordcount-counts-store-repartition", min_isr="1"), groups=("streams-wordcount",)),
        "medium",
    ),
    passes(
        "STR011",
        "min-isr-2",
        on_cluster(topic("streams-wordcount-counts-store-repartition"), groups=("streams-wordcount",)),
    ),
    # --- MirrorMaker 2
    fails("MM2001", "rf-1", mm2(MM2), "high", "mm2.properties A->B"),
    fails("MM2001", "default-rf-2", mm2(MM2_SAFE.replace("replication.factor=3\n", "")), "medium"),
    passes("MM2001", "rf-3", mm2(MM2_SAFE)),
    fails("MM2002", "internal-rf-1", mm2(MM2), "medium"),
    passes("MM2002", "defaults-3", mm2(MM2_SAFE)),
    fails("MM2003", "offsets-not-synced", mm2(MM2), "medium"),
    passes("MM2003", "flow-syncs-offsets", mm2(MM2_SAFE)),
    fails(
        "MM2010",
        "remote-rf-2",
        Estate(cluster=snapshot(topic("A.orders", rf=2)), mirror_flows=mm2(MM2).mirror_flows),
        "medium",
        "A.orders",
    ),
    fails("MM2010", "checkpoints-rf-1", on_cluster(topic("A.checkpoints.internal", rf=1)), "high"),
    passes("MM2010", "remote-rf-3", Estate(cluster=snapshot(topic("A.orders")), mirror_flows=mm2(MM2).mirror_flows)),
]
