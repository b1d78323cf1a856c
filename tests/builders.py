"""Build model objects for unit tests: the shapes a live cluster or a snapshot produces."""

from __future__ import annotations

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.findings import Finding
from auditor.model import ClusterSnapshot, ConfigSource, ConfigValue, Estate, Partition, Topic

BOOTSTRAP = "127.0.0.1:9092"


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
) -> Topic:
    replicas = tuple(range(1, rf + 1))
    configs = {}
    if min_isr is not None:
        configs["min.insync.replicas"] = config("min.insync.replicas", min_isr, min_isr_source)
    if unclean is not None:
        configs["unclean.leader.election.enable"] = config(
            "unclean.leader.election.enable", unclean, ConfigSource.KAFKA_DEFAULT
        )
    parts = tuple(Partition(name, i, replicas[0], replicas, replicas) for i in range(partitions))
    return Topic(name=name, internal=internal, partitions=parts, configs=configs)


def snapshot(*topics: Topic) -> ClusterSnapshot:
    return ClusterSnapshot(bootstrap=BOOTSTRAP, collected_at="2026-01-01T00:00:00+00:00", topics=topics)


def judge_topics(*topics: Topic) -> list[Finding]:
    """The findings of the built-in rules on a cluster holding these topics."""
    return judge(Estate(cluster=snapshot(*topics)), load_rules())
