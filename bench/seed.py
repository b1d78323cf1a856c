"""Seed the local test cluster for the collection benchmark; remove the seed again.

    python bench/seed.py up      2,000 topics x 3 partitions (RF 3) + 100 groups with committed offsets
    python bench/seed.py down    delete the seeded topics and groups

    python bench/seed.py up --topics 20000 --replication-factor 1 --groups 1000
                                 the 20,000-topic cluster (bench/collect_big.py), on a harness
                                 of 5 nodes: scripts/kafka-cluster up --nodes 5

Topics are created in chunks of --batch (one CreateTopics request each) at the controller's pace:
each chunk's partitions must have leaders before the next chunk is sent. Every group commits
offsets on --topics-per-group consecutive topics (wrapping), half way into 5 messages produced to
each of their partitions. Everything seeded is named ``bench-*`` so that ``down`` removes exactly
it. Writing is fine here: this is the benchmark's setup, never the auditor.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from kafka_cluster import Cluster

MESSAGES_PER_PARTITION = 5
LEADER_WAIT_S = 300.0


@dataclass(frozen=True)
class Shape:
    """What `up` seeds; the defaults are the 2,000-topic bench cluster."""

    topics: int = 2000
    partitions: int = 3
    replication_factor: int = 3
    groups: int = 100
    topics_per_group: int = 10
    batch: int = 100

    def __post_init__(self) -> None:
        for name in ("topics", "partitions", "replication_factor", "groups", "topics_per_group", "batch"):
            if getattr(self, name) < (0 if name == "groups" else 1):
                raise ValueError(f"{name.replace('_', '-')} must be at least {0 if name == 'groups' else 1}")
        if self.topics_per_group > self.topics:
            raise ValueError(f"topics-per-group ({self.topics_per_group}) exceeds topics ({self.topics})")


def topic_name(index: int) -> str:
    return f"bench-topic-{index:04d}"


def group_topics(shape: Shape, group: int) -> list[str]:
    first = group * shape.topics_per_group % shape.topics
    return [topic_name((first + offset) % shape.topics) for offset in range(shape.topics_per_group)]


def chunks(names: list[str], size: int) -> list[list[str]]:
    return [names[start : start + size] for start in range(0, len(names), size)]


def seed(cluster: Cluster, shape: Shape) -> None:
    started = time.monotonic()
    with cluster.admin_client(request_timeout_ms=120_000) as admin:
        existing = set(admin.list_topics())
        missing = [topic_name(i) for i in range(shape.topics) if topic_name(i) not in existing]
        spec = {"num_partitions": shape.partitions, "replication_factor": shape.replication_factor}
        done = 0
        for batch in chunks(missing, shape.batch):
            admin.create_topics(dict.fromkeys(batch, spec), timeout_ms=120_000)
            wait_for_leaders(admin, batch, shape.partitions)
            done += len(batch)
            print(f"created {done}/{len(missing)} topics ({time.monotonic() - started:.0f} s)", file=sys.stderr)
        consumed = sorted({t for g in range(shape.groups) for t in group_topics(shape, g)})
        produce(cluster, shape, consumed)
        commit_offsets(admin, shape)
    print(f"seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)


def leaderless(described: list[dict[str, Any]], names: list[str], partitions: int) -> int:
    """Partitions of `names` not (yet) described with a leader: missing topics count whole."""
    seen = {t["name"]: t for t in described if not t.get("error_code")}
    missing = sum(partitions for name in names if name not in seen)
    return missing + sum(1 for name in names if name in seen for p in seen[name]["partitions"] if p["leader_id"] < 0)


def wait_for_leaders(admin: Any, names: list[str], partitions: int) -> None:
    deadline = time.monotonic() + LEADER_WAIT_S
    while time.monotonic() < deadline:
        if not leaderless(admin.describe_topics(names), names, partitions):
            return
        time.sleep(0.5)
    raise SystemExit(f"seeded topics {names[0]}..{names[-1]} did not all get leaders within {LEADER_WAIT_S:.0f} s")


def produce(cluster: Cluster, shape: Shape, topics: list[str]) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all", linger_ms=20)
    # One chunk of topics at a time, its metadata fetched in one request first: kafka-python asks
    # for each new topic's metadata along with every topic seen so far, and scans all known topics
    # on every send (10,000 topics took the better part of an hour; a chunk of 100 takes 0.7 s).
    for batch in chunks(topics, shape.batch):
        known = producer._metadata.set_topics(batch)
        producer._sender.wakeup()
        deadline = time.monotonic() + LEADER_WAIT_S
        while not known.is_done and time.monotonic() < deadline:
            time.sleep(0.01)
        for topic in batch:
            for partition in range(shape.partitions):
                for _ in range(MESSAGES_PER_PARTITION):
                    producer.send(topic, b"x" * 100, partition=partition)
        producer.flush(timeout=300)
    producer.close()
    print(f"produced {len(topics) * shape.partitions * MESSAGES_PER_PARTITION} messages", file=sys.stderr)


def commit_offsets(admin: Any, shape: Shape) -> None:
    from kafka.structs import OffsetAndMetadata, TopicPartition

    for group in range(shape.groups):
        offsets = {
            TopicPartition(topic, partition): OffsetAndMetadata(MESSAGES_PER_PARTITION // 2, "", -1)
            for topic in group_topics(shape, group)
            for partition in range(shape.partitions)
        }
        with_retries(partial(admin.alter_group_offsets, f"bench-group-{group:03d}", offsets))
    print(f"committed offsets for {shape.groups} groups", file=sys.stderr)


def with_retries(call: Any) -> Any:
    """`call`, again after a retriable error (the offsets topic's coordinators are elected when the
    first group asks for one: COORDINATOR_NOT_AVAILABLE meanwhile) until LEADER_WAIT_S."""
    from kafka.errors import KafkaError

    deadline = time.monotonic() + LEADER_WAIT_S
    while True:
        try:
            return call()
        except KafkaError as exc:
            if not exc.retriable or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def unseed(cluster: Cluster, shape: Shape) -> None:
    with cluster.admin_client(request_timeout_ms=120_000) as admin:
        groups = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith("bench-group-")]
        if groups:
            admin.delete_groups(groups)
        topics = [t for t in admin.list_topics() if t.startswith("bench-topic-")]
        for batch in chunks(topics, shape.batch):
            admin.delete_topics(batch, raise_errors=False)
        print(f"deleted {len(topics)} topics and {len(groups)} groups", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("up", "down"))
    defaults = Shape()
    parser.add_argument("--topics", type=int, default=defaults.topics)
    parser.add_argument("--partitions", type=int, default=defaults.partitions, help="per topic")
    parser.add_argument("--replication-factor", type=int, default=defaults.replication_factor)
    parser.add_argument("--groups", type=int, default=defaults.groups, help="groups with committed offsets")
    parser.add_argument("--topics-per-group", type=int, default=defaults.topics_per_group)
    parser.add_argument("--batch", type=int, default=defaults.batch, help="topics per CreateTopics request")
    return parser


def parse_shape(argv: list[str] | None = None) -> tuple[str, Shape]:
    """The action and the shape; a shape that cannot be seeded is a usage error (exit 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        shape = Shape(
            args.topics, args.partitions, args.replication_factor, args.groups, args.topics_per_group, args.batch
        )
    except ValueError as exc:
        parser.error(str(exc))
    return args.action, shape


def main(argv: list[str] | None = None) -> int:
    action, shape = parse_shape(argv)
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    cluster = Cluster.load()
    if not cluster.is_ready():
        raise SystemExit("no ready cluster: run scripts/kafka-cluster up (with your KAFKA_AUDIT_PORT_BASE)")
    if shape.replication_factor > len(cluster.nodes):
        raise SystemExit(
            f"--replication-factor {shape.replication_factor} needs as many brokers; "
            f"the cluster has {len(cluster.nodes)}"
        )
    (seed if action == "up" else unseed)(cluster, shape)
    return 0


if __name__ == "__main__":
    sys.exit(main())
