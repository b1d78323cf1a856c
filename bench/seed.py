"""Seed the local test cluster for the collection benchmark; remove the seed again.

    python bench/seed.py up      2,000 topics x 3 partitions (RF 3) + 100 groups with committed offsets
    python bench/seed.py down    delete the seeded topics and groups

Everything seeded is named ``bench-*`` so that ``down`` removes exactly it. Writing is fine here:
this is the benchmark's setup, never the auditor.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from kafka_cluster import Cluster

TOPICS = 2000
PARTITIONS = 3
GROUPS = 100
TOPICS_PER_GROUP = 10
MESSAGES_PER_PARTITION = 5
CREATE_BATCH = 100


def topic_name(index: int) -> str:
    return f"bench-topic-{index:04d}"


def group_topics(group: int) -> list[str]:
    first = group * TOPICS_PER_GROUP % TOPICS
    return [topic_name((first + offset) % TOPICS) for offset in range(TOPICS_PER_GROUP)]


def seed(cluster: Cluster) -> None:
    with cluster.admin_client(request_timeout_ms=120_000) as admin:
        existing = set(admin.list_topics())
        missing = [topic_name(i) for i in range(TOPICS) if topic_name(i) not in existing]
        for start in range(0, len(missing), CREATE_BATCH):
            batch = missing[start : start + CREATE_BATCH]
            admin.create_topics({name: {"num_partitions": PARTITIONS, "replication_factor": 3} for name in batch})
            print(f"created {start + len(batch)}/{len(missing)} topics", file=sys.stderr)
        wait_for_leaders(admin)
        consumed = sorted({t for g in range(GROUPS) for t in group_topics(g)})
        produce(cluster, consumed)
        commit_offsets(admin)


def wait_for_leaders(admin: Any) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        topics = [t for t in admin.describe_topics() if t["name"].startswith("bench-topic-")]
        leaderless = sum(1 for t in topics for p in t["partitions"] if p["leader_id"] < 0)
        if len(topics) >= TOPICS and not leaderless:
            return
        time.sleep(1)
    raise SystemExit("seeded topics did not all get leaders within 300 s")


def produce(cluster: Cluster, topics: list[str]) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all", linger_ms=20)
    for topic in topics:
        for partition in range(PARTITIONS):
            for _ in range(MESSAGES_PER_PARTITION):
                producer.send(topic, b"x" * 100, partition=partition)
    producer.flush(timeout=300)
    producer.close()
    print(f"produced {len(topics) * PARTITIONS * MESSAGES_PER_PARTITION} messages", file=sys.stderr)


def commit_offsets(admin: Any) -> None:
    from kafka.structs import OffsetAndMetadata, TopicPartition

    for group in range(GROUPS):
        offsets = {
            TopicPartition(topic, partition): OffsetAndMetadata(MESSAGES_PER_PARTITION // 2, "", -1)
            for topic in group_topics(group)
            for partition in range(PARTITIONS)
        }
        admin.alter_group_offsets(f"bench-group-{group:03d}", offsets)
    print(f"committed offsets for {GROUPS} groups", file=sys.stderr)


def unseed(cluster: Cluster) -> None:
    with cluster.admin_client(request_timeout_ms=120_000) as admin:
        groups = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith("bench-group-")]
        if groups:
            admin.delete_groups(groups)
        topics = [t for t in admin.list_topics() if t.startswith("bench-topic-")]
        for start in range(0, len(topics), CREATE_BATCH):
            admin.delete_topics(topics[start : start + CREATE_BATCH], raise_errors=False)
        print(f"deleted {len(topics)} topics and {len(groups)} groups", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("up", "down"))
    args = parser.parse_args()
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    cluster = Cluster.load()
    if not cluster.is_ready():
        raise SystemExit("no ready cluster: run scripts/kafka-cluster up (with your KAFKA_AUDIT_PORT_BASE)")
    (seed if args.action == "up" else unseed)(cluster)
    return 0


if __name__ == "__main__":
    sys.exit(main())
