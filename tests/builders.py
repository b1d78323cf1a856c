"""Build model objects for unit tests: the shapes a live cluster, a snapshot or a file source produces.

Every builder makes a healthy object by default; a test changes only what it is about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.findings import Finding
from auditor.model import (
    Broker,
    BrokerSettings,
    ClusterSnapshot,
    ConfigSource,
    ConfigValue,
    ConsumerGroup,
    ControllerQuorum,
    DeclaredTopic,
    Estate,
    GroupOffset,
    Partition,
    QuorumVoter,
    Topic,
)

BOOTSTRAP = "127.0.0.1:9092"
COLLECTED_AT = "2026-01-01T00:00:00+00:00"
COLLECTED_AT_MS = 1767225600000

# A broker configured for no loss, as DescribeConfigs reports it.
HEALTHY_BROKER: Mapping[str, str] = {
    "min.insync.replicas": "2",
    "default.replication.factor": "3",
    "unclean.leader.election.enable": "false",
    "auto.create.topics.enable": "false",
    "offsets.topic.replication.factor": "3",
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
}


def config(key: str, value: str | None, source: ConfigSource = ConfigSource.TOPIC_OVERRIDE) -> ConfigValue:
    return ConfigValue(key=key, value=value, source=source)


def topic(
    name: str,
    rf: int = 3,
    min_isr: str | None = "2",
    unclean: str | None = "false",
    partitions: int = 1,
    internal: bool = False,
    min_isr_source: ConfigSource = ConfigSource.STATIC_BROKER,
    retention_ms: str | None = None,
    replicas: Sequence[int] | None = None,
    parts: Sequence[Partition] = (),
) -> Topic:
    replica_ids = tuple(replicas) if replicas is not None else tuple(range(1, rf + 1))
    configs = {}
    if min_isr is not None:
        configs["min.insync.replicas"] = config("min.insync.replicas", min_isr, min_isr_source)
    if unclean is not None:
        configs["unclean.leader.election.enable"] = config(
            "unclean.leader.election.enable", unclean, ConfigSource.KAFKA_DEFAULT
        )
    if retention_ms is not None:
        configs["retention.ms"] = config("retention.ms", retention_ms)
    built = tuple(parts) or tuple(
        Partition(name, i, replica_ids[0], replica_ids, replica_ids) for i in range(partitions)
    )
    return Topic(name=name, internal=internal, partitions=built, configs=configs)


def partition(
    topic_name: str = "orders",
    index: int = 0,
    replicas: Sequence[int] = (1, 2, 3),
    isr: Sequence[int] | None = None,
    leader: int | str | None = "first",
    offline: Sequence[int] = (),
) -> Partition:
    in_sync = tuple(replicas) if isr is None else tuple(isr)
    chosen = (in_sync[0] if in_sync else None) if leader == "first" else leader
    assert chosen is None or isinstance(chosen, int)
    return Partition(topic_name, index, chosen, tuple(replicas), in_sync, tuple(offline))


def broker(
    broker_id: int,
    rack: str | None = "auto",
    source: ConfigSource = ConfigSource.STATIC_BROKER,
    **overrides: str | None,
) -> Broker:
    """A live broker with HEALTHY_BROKER configs; overrides use underscores for dots."""
    values: dict[str, str | None] = dict(HEALTHY_BROKER)
    values.update({key.replace("_", "."): value for key, value in overrides.items()})
    configs = {key: ConfigValue(key, value, source) for key, value in values.items()}
    return Broker(
        id=broker_id,
        host="127.0.0.1",
        port=9090 + broker_id,
        rack=f"rack-{broker_id}" if rack == "auto" else rack,
        configs=configs,
    )


def brokers(
    count: int = 3,
    rack: str | None = "auto",
    source: ConfigSource = ConfigSource.STATIC_BROKER,
    **overrides: str | None,
) -> tuple[Broker, ...]:
    return tuple(broker(i, rack, source, **overrides) for i in range(1, count + 1))


def snapshot(
    *topics: Topic,
    broker_list: Sequence[Broker] | None = None,
    groups: Sequence[ConsumerGroup] = (),
    voters: int | None = 3,
) -> ClusterSnapshot:
    return ClusterSnapshot(
        bootstrap=BOOTSTRAP,
        collected_at=COLLECTED_AT,
        cluster_id="test-cluster",
        brokers=brokers() if broker_list is None else tuple(broker_list),
        topics=topics,
        groups=tuple(groups),
        quorum=None if voters is None else ControllerQuorum(1, tuple(QuorumVoter(i) for i in range(1, voters + 1))),
    )


def group(group_id: str, *offsets: GroupOffset) -> ConsumerGroup:
    return ConsumerGroup(id=group_id, type="classic", state="Stable", protocol_type="consumer", offsets=offsets)


def offset(
    committed: int | None,
    log_start: int | None = 0,
    log_end: int | None = 100,
    topic_name: str = "orders",
    index: int = 0,
    age_ms: int | None = None,
    retention_boundary: int | None = None,
    lag_probes: tuple[tuple[float, int | None], ...] = (),
) -> GroupOffset:
    """A committed offset; `age_ms` is how old the first unread message is at collection time,
    `lag_probes` the (percent, offset at collection time - percent of retention.ms) read."""
    timestamp = None if age_ms is None else COLLECTED_AT_MS - age_ms
    return GroupOffset(topic_name, index, committed, log_start, log_end, retention_boundary, timestamp, lag_probes)


def file_value(key: str, value: str | None, path: str = "config/server.properties", line: int = 1) -> ConfigValue:
    return ConfigValue(key=key, value=value, source=ConfigSource.FILE, path=path, line=line)


def broker_file(
    name: str = "kafka-1", path: str = "config/server.properties", **settings: str | None
) -> BrokerSettings:
    """Broker settings declared in a file; settings use underscores for dots."""
    values = {key.replace("_", "."): value for key, value in settings.items()}
    configs = {key: file_value(key, value, path, line) for line, (key, value) in enumerate(values.items(), start=1)}
    return BrokerSettings(name=name, path=path, format="server-properties", settings=configs)


def quorum_node(node_id: int, **settings: str | None) -> BrokerSettings:
    """server.properties of node `node_id` of one KRaft quorum of three (one cluster by its voters)."""
    voters = "1@k1:9093,2@k2:9093,3@k3:9093"
    path = f"config/server-{node_id}.properties"
    return broker_file(f"node-{node_id}", path, node_id=str(node_id), controller_quorum_voters=voters, **settings)


def strimzi_kafka(name: str, path: str = "topics/kafka.yaml", **settings: str | None) -> BrokerSettings:
    """A Strimzi Kafka resource (its topics link to it by strimzi.io/cluster, in the same folder)."""
    return replace(broker_file(name, path, **settings), format="strimzi")


def declared_topic(
    name: str,
    rf: str | None = "3",
    path: str = "topics/orders.yaml",
    inherits_from: str | None = None,
    **settings: str | None,
) -> DeclaredTopic:
    values = {key.replace("_", "."): value for key, value in settings.items()}
    return DeclaredTopic(
        name=name,
        path=path,
        format="strimzi",
        replication_factor=None if rf is None else file_value("replicas", rf, path, 5),
        partitions=file_value("partitions", "3", path, 4),
        settings={key: file_value(key, value, path, 7 + i) for i, (key, value) in enumerate(values.items())},
        inherits_from=inherits_from,
    )


def judge_topics(*topics: Topic) -> list[Finding]:
    """The findings of the built-in rules on a healthy cluster holding these topics."""
    return judge(Estate(cluster=snapshot(*topics)), load_rules())


def judge_estate(estate: Estate) -> list[Finding]:
    return judge(estate, load_rules())


def healthy(**estate: object) -> Estate:
    """An estate around a healthy snapshot, for tests that only add files."""
    return Estate(cluster=snapshot(), **estate)  # type: ignore[arg-type]


def moving(p: Partition, adding: Sequence[int] = (), removing: Sequence[int] = ()) -> Partition:
    """The partition during a reassignment: `replicas` holds old and new ones, as Kafka reports it."""
    from dataclasses import replace

    return replace(p, adding_replicas=tuple(adding), removing_replicas=tuple(removing))
