"""Fixtures of the store rules STO001-STO018, on snapshots and declared files."""

from __future__ import annotations

from dataclasses import replace

from auditor.model import ConfigSource, ConfigValue, Estate, Topic
from tests.builders import (
    broker,
    broker_file,
    brokers,
    declared_topic,
    moving,
    partition,
    quorum_node,
    snapshot,
    strimzi_kafka,
    topic,
)
from tests.rule_cases import RuleCase, fails, passes, unknown


def cluster(*topics: Topic, **kwargs: object) -> Estate:
    return Estate(cluster=snapshot(*topics, **kwargs))  # type: ignore[arg-type]


def files(*items: object) -> Estate:
    """An estate of declared brokers and topics only, no cluster."""
    return Estate(
        brokers=tuple(i for i in items if type(i).__name__ == "BrokerSettings"),  # type: ignore[misc]
        topics=tuple(i for i in items if type(i).__name__ == "DeclaredTopic"),  # type: ignore[misc]
    )


# Broker 3 frozen: registered, unfenced, still in every ISR, but it did not answer (#11 point 2).
SILENT_3 = (*brokers(2), replace(broker(3), silent=True))


def parts(*partitions: object) -> Topic:
    return topic("orders", parts=partitions)  # type: ignore[arg-type]


GOOD_FILE = broker_file(
    default_replication_factor="3",
    min_insync_replicas="2",
    auto_create_topics_enable="false",
    broker_rack="rack-1",
)

# A placeholder stays unknown per resource (replicas: ${RF}), unlike an omitted replication factor.
RF_PLACEHOLDER = replace(
    declared_topic("orders"),
    replication_factor=ConfigValue("replicas", None, ConfigSource.FILE, "topics/orders.yaml", 5, "unresolved ${RF}"),
)

CASES: list[RuleCase] = [
    # STO001 replication factor
    passes("STO001", "rf3", cluster(topic("orders"))),
    fails("STO001", "rf2", cluster(topic("orders", rf=2, min_isr="1")), "high", "orders"),
    fails("STO001", "rf1", cluster(topic("orders", rf=1, min_isr="1")), "critical", "orders"),
    passes("STO001", "internal-rf1-is-STO007", cluster(topic("__consumer_offsets", rf=1, internal=True))),
    passes("STO001", "declared-rf3", files(declared_topic("orders"))),
    fails("STO001", "declared-rf1", files(declared_topic("orders", rf="1")), "critical", "orders"),
    fails(
        "topic-replication-factor",
        "declared-inherits-default-rf",
        files(strimzi_kafka("Kafka/prod"), declared_topic("orders", rf=None, inherits_from="Kafka/prod")),
        "critical",
        "orders",
    ),
    unknown("STO001", "declared-rf-placeholder", files(RF_PLACEHOLDER), "high", "orders"),
    # STO002 min.insync.replicas, topic and broker
    passes("STO002", "topic-2", cluster(topic("orders")), kind="topic"),
    fails("STO002", "topic-1", cluster(topic("orders", min_isr="1")), "high", "orders", kind="topic"),
    unknown("STO002", "topic-unreadable", cluster(topic("orders", min_isr=None)), "high", "orders", kind="topic"),
    unknown("STO002", "topic-garbage", cluster(topic("orders", min_isr="two")), "high", "orders", kind="topic"),
    passes("STO002", "broker-2", cluster(), kind="broker"),
    fails(
        "STO002",
        "broker-default-1",
        cluster(broker_list=brokers(min_insync_replicas="1")),
        "high",
        "1",
        "2",
        "3",
        kind="broker",
    ),
    passes(
        "STO002",
        "fenced-broker-is-a-gap-not-a-subject",
        cluster(broker_list=[broker(1), broker(2), replace(broker(3), fenced=True, configs={})]),
        kind="broker",
    ),
    unknown(
        "STO002",
        "broker-configs-unread",
        cluster(broker_list=[broker(1, min_insync_replicas=None)]),
        "high",
        kind="broker",
    ),
    fails("STO002", "broker-file-default-is-1", files(broker_file()), "high", "kafka-1", kind="broker"),
    passes("STO002", "broker-file-2", files(GOOD_FILE), kind="broker"),
    fails(
        "STO002",
        "declared-topic-inherits-file-default",
        files(
            strimzi_kafka("Kafka/prod", min_insync_replicas="1"), declared_topic("orders", inherits_from="Kafka/prod")
        ),
        "high",
        "orders",
        kind="topic",
    ),
    passes(
        "STO002", "declared-topic-overrides", files(declared_topic("orders", min_insync_replicas="2")), kind="topic"
    ),
    # STO003 min ISR vs RF
    passes("STO003", "topic-2-of-3", cluster(topic("orders")), kind="topic"),
    fails("STO003", "topic-equal", cluster(topic("orders", min_isr="3")), "medium", "orders", kind="topic"),
    fails("STO003", "topic-greater", cluster(topic("orders", min_isr="4")), "critical", "orders", kind="topic"),
    passes("STO003", "broker-2-of-3", cluster(), kind="broker"),
    fails(
        "STO003",
        "broker-default-rf-1",
        cluster(broker_list=[broker(1, default_replication_factor="1")]),
        "critical",
        "1",
        kind="broker",
    ),
    fails(
        "STO003",
        "broker-equal",
        cluster(broker_list=[broker(1, min_insync_replicas="3")]),
        "medium",
        "1",
        kind="broker",
    ),
    # STO004 unclean leader election
    passes("STO004", "topic-false", cluster(topic("orders")), kind="topic"),
    fails("STO004", "topic-true", cluster(topic("orders", unclean="true")), "critical", "orders", kind="topic"),
    fails("STO004", "topic-mixed-case", cluster(topic("orders", unclean=" TRUE ")), "critical", kind="topic"),
    unknown("STO004", "topic-unreadable", cluster(topic("orders", unclean=None)), "critical", kind="topic"),
    passes("STO004", "broker-false", cluster(), kind="broker"),
    fails(
        "STO004",
        "cluster-default-true",
        cluster(
            broker_list=brokers(source=ConfigSource.DYNAMIC_CLUSTER_DEFAULT, unclean_leader_election_enable="true")
        ),
        "critical",
        "1",
        "2",
        "3",
        kind="broker",
    ),
    fails(
        "STO004", "broker-file", files(broker_file(unclean_leader_election_enable="true")), "critical", kind="broker"
    ),
    # STO005 default.replication.factor
    passes("STO005", "live-3", cluster()),
    fails("STO005", "live-1", cluster(broker_list=[broker(1, default_replication_factor="1")]), "high", "1"),
    fails("STO005", "file-kafka-default", files(broker_file()), "high", "kafka-1"),
    passes("STO005", "file-3", files(GOOD_FILE)),
    unknown("STO005", "file-placeholder", files(broker_file(default_replication_factor=None)), "high"),
    # STO006 auto.create.topics.enable
    passes("STO006", "live-false", cluster()),
    fails("STO006", "live-true", cluster(broker_list=[broker(1, auto_create_topics_enable="true")]), "medium", "1"),
    fails("STO006", "file-kafka-default-true", files(broker_file()), "medium", "kafka-1"),
    # STO007 __consumer_offsets
    passes("STO007", "broker-3", cluster(), kind="broker"),
    fails(
        "STO007",
        "broker-1",
        cluster(broker_list=[broker(1, offsets_topic_replication_factor="1")]),
        "high",
        kind="broker",
    ),
    passes("STO007", "topic-rf3", cluster(topic("__consumer_offsets", internal=True)), kind="topic"),
    fails(
        "STO007",
        "topic-rf1",
        cluster(topic("__consumer_offsets", rf=1, internal=True)),
        "high",
        "__consumer_offsets",
        kind="topic",
    ),
    passes("STO007", "other-topic-rf1-is-STO001", cluster(topic("orders", rf=1)), kind="topic"),
    # STO008 __transaction_state
    passes("STO008", "broker-3", cluster(), kind="broker"),
    fails(
        "STO008",
        "broker-2",
        cluster(broker_list=[broker(1, transaction_state_log_replication_factor="2")]),
        "high",
        kind="broker",
    ),
    passes("STO008", "topic-rf3", cluster(topic("__transaction_state", internal=True)), kind="topic"),
    fails(
        "STO008",
        "topic-rf2",
        cluster(topic("__transaction_state", rf=2, internal=True)),
        "high",
        "__transaction_state",
        kind="topic",
    ),
    # STO009 transaction.state.log.min.isr
    passes("STO009", "2-of-3", cluster()),
    fails("STO009", "1", cluster(broker_list=[broker(1, transaction_state_log_min_isr="1")]), "high", "1"),
    fails("STO009", "equal-rf", cluster(broker_list=[broker(1, transaction_state_log_min_isr="3")]), "medium", "1"),
    # STO010-STO013 partition state
    passes("STO010", "all-in-sync", cluster(parts(partition()))),
    fails("STO010", "one-out", cluster(parts(partition(index=3, isr=(1, 2), offline=(3,)))), "high", "orders-3"),
    passes("STO011", "isr-2-min-2", cluster(parts(partition(isr=(1, 2))))),
    fails("STO011", "isr-1-min-2", cluster(parts(partition(isr=(1,))), broker_list=brokers()), "critical", "orders-0"),
    unknown("STO011", "min-isr-unknown", cluster(topic("orders", min_isr=None)), "critical", "orders-0"),
    passes("STO011", "offline-is-STO013", cluster(parts(partition(isr=(1,), leader=None)))),
    passes("STO012", "healthy", cluster(parts(partition()))),
    fails("STO012", "isr-2-min-2", cluster(parts(partition(isr=(1, 2)))), "medium", "orders-0"),
    passes("STO012", "min-isr-equals-rf-is-STO003", cluster(topic("orders", min_isr="3"))),
    passes("STO013", "has-leader", cluster(parts(partition()))),
    fails(
        "STO013", "no-leader", cluster(parts(partition(replicas=(2,), isr=(2,), leader=None))), "critical", "orders-0"
    ),
    passes(
        "STO010",
        "reassignment-adding-a-replica",
        cluster(parts(moving(partition(replicas=(1, 2, 3, 4), isr=(1, 2, 3)), adding=(4,))), broker_list=brokers(4)),
    ),
    fails(
        "STO010",
        "reassigning-and-a-kept-replica-out",
        cluster(parts(moving(partition(replicas=(1, 2, 3, 4), isr=(1, 2)), adding=(4,))), broker_list=brokers(4)),
        "high",
        "orders-0",
    ),
    # STO020 a registered broker that does not answer; its partitions judged with it offline
    passes("STO020", "every-broker-answers", cluster(parts(partition()))),
    fails("STO020", "broker-3-silent", cluster(parts(partition()), broker_list=SILENT_3), "high", "test-cluster"),
    passes(
        "STO020",
        "fenced-is-not-silent",
        cluster(broker_list=(*brokers(2), replace(broker(3), fenced=True, silent=True))),
    ),
    fails(
        "STO013",
        "led-by-a-silent-broker",
        cluster(parts(partition(leader=3)), broker_list=SILENT_3),
        "critical",
        "orders-0",
    ),
    fails("STO010", "silent-follower-in-isr", cluster(parts(partition()), broker_list=SILENT_3), "high", "orders-0"),
    # STO019 reassignment in progress
    passes("STO019", "no-reassignment", cluster(parts(partition()))),
    fails(
        "STO019",
        "adding-replica-4",
        cluster(parts(moving(partition(replicas=(1, 2, 3, 4), isr=(1, 2, 3)), adding=(4,))), broker_list=brokers(4)),
        "info",
        "orders-0",
    ),
    # STO014 rack spread
    passes("STO014", "three-racks", cluster(parts(partition()))),
    fails(
        "STO014",
        "two-replicas-one-rack",
        cluster(
            parts(partition()),
            broker_list=[broker(1, rack="a"), broker(2, rack="a"), broker(3, rack="b"), broker(4, rack="c")],
        ),
        "high",
        "orders-0",
    ),
    passes(
        "STO014",
        "two-racks-for-three-replicas",
        cluster(
            parts(partition()),
            broker_list=[broker(1, rack="a"), broker(2, rack="b"), broker(3, rack="b"), broker(4, rack="a")],
        ),
    ),
    passes("STO014", "no-racks-is-STO015", cluster(parts(partition()), broker_list=brokers(rack=None))),
    # STO015 broker.rack
    passes("STO015", "racks-set", cluster()),
    fails("STO015", "no-racks", cluster(broker_list=brokers(rack=None)), "low", "1", "2", "3"),
    passes("STO015", "two-brokers", cluster(broker_list=brokers(2, rack=None))),
    fails("STO015", "strimzi-3-replicas", files(replace(broker_file("my-cluster"), nodes=3)), "low", "my-cluster"),
    unknown("STO015", "node-count-unknown", files(replace(broker_file("my-cluster"), nodes=None)), "low"),
    fails(
        "STO015",
        "declared-brokers",
        files(quorum_node(1), quorum_node(2), quorum_node(3, broker_rack="a")),
        "low",
        "node-1",
        "node-2",
    ),
    # STO016 replicas on missing brokers
    passes("STO016", "registered", cluster(topic("orders"))),
    fails("STO016", "replica-on-broker-9", cluster(topic("orders", replicas=(1, 2, 9))), "critical", "orders"),
    fails("STO016", "rf-above-brokers", cluster(topic("orders", rf=4)), "critical", "orders"),
    fails(
        "STO016",
        "declared-rf-above-brokers",
        Estate(cluster=snapshot(), topics=(declared_topic("orders", rf="5"),)),
        "critical",
        "orders",
    ),
    passes("STO016", "declared-without-brokers", files(declared_topic("orders", rf="5"))),
    # STO017 controller quorum
    passes("STO017", "three-voters", cluster()),
    fails("STO017", "one-voter", cluster(voters=1), "medium", "test-cluster"),
    unknown("STO017", "quorum-unread", cluster(voters=None), "medium", "test-cluster"),
    # STO018 durability settings differ
    passes("STO018", "all-equal", cluster()),
    fails(
        "STO018",
        "one-broker-min-isr-1",
        cluster(broker_list=[broker(1), broker(2), broker(3, min_insync_replicas="1")]),
        "medium",
        "3",
    ),
    passes(
        "STO018",
        "declared-brokers-of-different-folders-are-different-clusters",
        files(
            broker_file("a", path="a/server.properties"),
            broker_file("b", "b/server.properties", min_insync_replicas="2"),
        ),
    ),
    passes(
        "STO018",
        "server-properties-of-one-folder-without-a-shared-quorum-are-different-clusters",
        files(broker_file("kafka-1"), broker_file("kafka-2", unclean_leader_election_enable="true")),
    ),
    passes(
        "STO018",
        "one-quorum-but-a-node-id-reused-are-alternatives",
        files(quorum_node(1), replace(quorum_node(1, unclean_leader_election_enable="true"), name="node-1b")),
    ),
    passes(
        "STO018",
        "two-strimzi-clusters-in-one-folder",
        files(
            replace(broker_file("Kafka/a", "k8s/kafka.yaml"), format="strimzi", nodes=3),
            replace(broker_file("Kafka/b", "k8s/kafka.yaml", min_insync_replicas="2"), format="strimzi", nodes=3),
        ),
    ),
    fails(
        "STO018",
        "declared-brokers-differ",
        files(quorum_node(1), quorum_node(2, unclean_leader_election_enable="true")),
        "medium",
        "node-1",
        "node-2",
    ),
    unknown(
        "STO018",
        "configs-unread",
        cluster(broker_list=[broker(1), broker(2), broker(3, min_insync_replicas=None)]),
        "medium",
        "3",
    ),
]


def policy_declares(**values: str) -> dict[str, ConfigValue]:
    """broker_defaults as a policy file at .kafka-audit.yaml declares them, from line 2 on."""
    return {
        key.replace("_", "."): ConfigValue(key.replace("_", "."), value, ConfigSource.POLICY, ".kafka-audit.yaml", i)
        for i, (key, value) in enumerate(values.items(), start=2)
    }


# A Strimzi KafkaTopic whose Kafka resource is not in the audit (the topic sets no min ISR).
ELSEWHERE = declared_topic(
    "KafkaTopic/orders", inherits_from="Kafka/my-cluster", unclean_leader_election_enable="false"
)

CASES += [
    # STO021 broker defaults of brokers not in the audit: one verdict per (brokers, key)
    unknown("STO021", "kafka-resource-elsewhere", files(ELSEWHERE), "medium", "Kafka/my-cluster"),
    passes(
        "STO021",
        "declared-in-policy",
        replace(files(ELSEWHERE), broker_defaults=policy_declares(min_insync_replicas="2")),
    ),
    fails(
        "STO021",
        "declared-min-isr-1",
        replace(files(ELSEWHERE), broker_defaults=policy_declares(min_insync_replicas="1")),
        "high",
        "Kafka/my-cluster",
    ),
    fails(
        "STO021",
        "declared-unclean-election",
        replace(
            files(declared_topic("orders", min_insync_replicas="2")),
            broker_defaults=policy_declares(unclean_leader_election_enable="true"),
        ),
        "critical",
        "topics/",
    ),
    fails(
        "STO021",
        "declared-rf-1",
        replace(
            files(declared_topic("orders", rf=None, min_insync_replicas="2", unclean_leader_election_enable="false")),
            broker_defaults=policy_declares(default_replication_factor="1"),
        ),
        "critical",
        "topics/",
    ),
    # STO022 a broker of the audit that departs from the declared defaults
    passes("STO022", "agrees", replace(files(GOOD_FILE), broker_defaults=policy_declares(min_insync_replicas="2"))),
    fails(
        "STO022",
        "file-broker-contradicts",
        replace(files(GOOD_FILE), broker_defaults=policy_declares(unclean_leader_election_enable="true")),
        "high",
        "kafka-1",
    ),
    fails(
        "STO022",
        "live-broker-contradicts",
        replace(cluster(topic("orders")), broker_defaults=policy_declares(min_insync_replicas="3")),
        "high",
        "1",
        "2",
        "3",
    ),
    unknown(
        "STO022",
        "live-broker-unread",
        replace(
            cluster(broker_list=[broker(1), broker(2), broker(3, min_insync_replicas=None)]),
            broker_defaults=policy_declares(min_insync_replicas="2"),
        ),
        "high",
        "3",
    ),
]
