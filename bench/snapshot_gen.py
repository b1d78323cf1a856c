"""Generate a large cluster snapshot, in the shape `kafka-audit snapshot` writes of a real cluster.

    python bench/snapshot_gen.py --partitions 60000 --output /tmp/snap-60k.json

The 2,000-topic bench cluster (bench/seed.py: topics x 3 partitions, RF 3, 100 groups on 10
topics each) multiplied: PARTITIONS / 3 topics over 3 racked brokers, every topic with the 33
configs Kafka 4.3's DescribeConfigs returns for a topic (most at their Kafka default, some
static broker values, a few overrides), one group per 20 topics with committed offsets on 10
of them (with the time-lag probes), a KRaft quorum and the feature levels. One topic in
--misconfigured-every (default 100) has RF 1 and the next one min.insync.replicas 1, so there
are findings as well as passes (the seeded bench cluster itself is healthy). The file is
written by kafka-audit's own snapshot writer, so it is exactly the format the audit reads;
nothing generated is committed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.model import (
    Broker,
    ClusterSnapshot,
    Configs,
    ConfigSource,
    ConfigValue,
    ConsumerGroup,
    ControllerQuorum,
    GroupOffset,
    Partition,
    QuorumVoter,
    Topic,
)
from auditor.sources.snapshot import write_snapshot

PARTITIONS_PER_TOPIC = 3
TOPICS_PER_GROUP = 20
OFFSETS_TOPICS_PER_GROUP = 10

# Kafka 4.3's topic configs (TopicConfig / LogConfig) as DescribeConfigs --all reports them.
TOPIC_DEFAULTS: dict[str, str] = {
    "cleanup.policy": "delete",
    "compression.gzip.level": "-1",
    "compression.lz4.level": "9",
    "compression.type": "producer",
    "compression.zstd.level": "3",
    "delete.retention.ms": "86400000",
    "file.delete.delay.ms": "60000",
    "flush.messages": "9223372036854775807",
    "flush.ms": "9223372036854775807",
    "follower.replication.throttled.replicas": "",
    "index.interval.bytes": "4096",
    "leader.replication.throttled.replicas": "",
    "local.retention.bytes": "-2",
    "local.retention.ms": "-2",
    "max.compaction.lag.ms": "9223372036854775807",
    "max.message.bytes": "1048588",
    "message.timestamp.after.max.ms": "3600000",
    "message.timestamp.before.max.ms": "9223372036854775807",
    "message.timestamp.type": "CreateTime",
    "min.cleanable.dirty.ratio": "0.5",
    "min.compaction.lag.ms": "0",
    "min.insync.replicas": "2",
    "preallocate": "false",
    "remote.log.copy.disable": "false",
    "remote.log.delete.on.disable": "false",
    "remote.storage.enable": "false",
    "retention.bytes": "-1",
    "retention.ms": "604800000",
    "segment.bytes": "1073741824",
    "segment.index.bytes": "10485760",
    "segment.jitter.ms": "0",
    "segment.ms": "604800000",
    "unclean.leader.election.enable": "false",
}
STATIC_IN_SERVER_PROPERTIES = {"min.insync.replicas", "unclean.leader.election.enable"}
BROKER_CONFIGS: dict[str, str] = {
    "min.insync.replicas": "2",
    "default.replication.factor": "3",
    "unclean.leader.election.enable": "false",
    "auto.create.topics.enable": "false",
    "offsets.topic.replication.factor": "3",
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
    "num.partitions": "1",
    "log.retention.hours": "168",
    "broker.rack": "",
}


def topic_configs(index: int, every: int) -> Configs:
    configs: Configs = {}
    for key, value in TOPIC_DEFAULTS.items():
        source = ConfigSource.STATIC_BROKER if key in STATIC_IN_SERVER_PROPERTIES else ConfigSource.KAFKA_DEFAULT
        configs[key] = ConfigValue(key, value, source)
    if index % every == 1:
        configs["min.insync.replicas"] = ConfigValue("min.insync.replicas", "1", ConfigSource.TOPIC_OVERRIDE)
    if index % 7 == 0:
        configs["retention.ms"] = ConfigValue("retention.ms", "86400000", ConfigSource.TOPIC_OVERRIDE)
    return configs


def topic(index: int, every: int) -> Topic:
    name = f"bench-topic-{index:06d}"
    rf = 1 if index % every == 0 else 3
    partitions = []
    for p in range(PARTITIONS_PER_TOPIC):
        replicas = tuple(1 + (index + p + r) % 3 for r in range(rf))
        partitions.append(Partition(name, p, replicas[0], replicas, replicas, (), ()))
    return Topic(name, False, tuple(partitions), topic_configs(index, every))


def group(index: int, topics: int) -> ConsumerGroup:
    first = index * TOPICS_PER_GROUP
    offsets = tuple(
        GroupOffset(
            topic=f"bench-topic-{(first + t) % topics:06d}",
            partition=p,
            committed=2,
            log_start=0,
            log_end=5,
            retention_boundary=0,
            committed_timestamp_ms=1767225590000,
            lag_probes=((50.0, 0), (80.0, 0)),
        )
        for t in range(OFFSETS_TOPICS_PER_GROUP)
        for p in range(PARTITIONS_PER_TOPIC)
    )
    return ConsumerGroup(f"bench-group-{index:05d}", "classic", "Empty", "consumer", 0, offsets)


def broker(broker_id: int) -> Broker:
    configs = {key: ConfigValue(key, value, ConfigSource.STATIC_BROKER) for key, value in BROKER_CONFIGS.items()}
    configs["broker.rack"] = ConfigValue("broker.rack", f"rack-{broker_id}", ConfigSource.STATIC_BROKER)
    return Broker(broker_id, "127.0.0.1", 19090 + broker_id, f"rack-{broker_id}", False, configs)


def generate(partitions: int, every: int = 100) -> ClusterSnapshot:
    topics = max(1, partitions // PARTITIONS_PER_TOPIC)
    return ClusterSnapshot(
        bootstrap="127.0.0.1:19091",
        collected_at="2026-01-01T00:00:00+00:00",
        cluster_id="bench-cluster",
        brokers=tuple(broker(i) for i in (1, 2, 3)),
        topics=tuple(topic(i, every) for i in range(topics)),
        groups=tuple(group(i, topics) for i in range(max(1, topics // TOPICS_PER_GROUP))),
        quorum=ControllerQuorum(1, tuple(QuorumVoter(i, 100, 0) for i in (1, 2, 3))),
        features={"metadata.version": 27, "kraft.version": 1},
    )


def write(partitions: int, output: Path, every: int = 100) -> Path:
    write_snapshot(generate(partitions, every), output)
    return output


def write_apart(partitions: int, output: Path, every: int = 100) -> Path:
    """`write` in a child process. A bench that then measures other processes' peak RSS must not
    generate in its own: the model of 60,000 partitions holds about 150 MB, and a child forked
    from the bench starts with those pages in its ru_maxrss (327 MB recorded at 60k for an audit
    whose own peak was 179 MB)."""
    command = [sys.executable, __file__, "--partitions", str(partitions), "--output", str(output)]
    subprocess.run([*command, "--misconfigured-every", str(every)], check=True, stderr=subprocess.DEVNULL)
    return output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=int, default=6000)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--misconfigured-every", type=int, default=100, metavar="N")
    args = parser.parse_args()
    write(args.partitions, args.output, args.misconfigured_every)
    print(f"{args.output}: {args.output.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
