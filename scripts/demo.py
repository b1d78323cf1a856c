#!/usr/bin/env python3
"""The demo scenario: seed the local cluster with topics configured well and badly, then audit it.

Run by `make demo` after `scripts/kafka-cluster up`. Seeding is idempotent: existing demo topics
get their configs set again. The audit is the real command a user would type. It declares two
services (demo/services.yaml), one safe and one not: their outbox and processed-keys tables live
in an SQLite file the demo creates in the cluster's run folder, and the safe service's consumer
group commits offsets so the cluster shows it consuming. A Kafka Connect worker (from Maven
Central jars, scripts/connect_harness.py) runs two FileStream sink connectors during the audit,
one safe and one that drops every record it cannot write (errors.tolerance=all, no dead letter
queue: CNX010); the audit reads it with --connect-url, and the worker stops after the audit.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kafka_cluster import Cluster

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "demo" / "services.yaml"

# name -> (replication factor, topic config overrides, what it shows)
DEMO_TOPICS: dict[str, tuple[int, dict[str, str], str]] = {
    "orders": (3, {"min.insync.replicas": "2"}, "configured well"),
    "payments": (3, {"min.insync.replicas": "1"}, "acks=all means acks=1 (STO002)"),
    "audit-log": (1, {}, "a single copy (STO001), and min ISR 2 > RF 1 blocks acks=all (STO003)"),
    "clickstream": (2, {}, "two copies, min ISR = RF (STO001, STO003)"),
    "inventory": (3, {"unclean.leader.election.enable": "true"}, "unclean election (STO004)"),
    "shipments": (3, {"min.insync.replicas": "3"}, "min ISR = RF: one broker down blocks writes (STO003)"),
}


# connector name -> (topic it delivers, config beyond FileStreamSink's basics, what it shows)
DEMO_CONNECTORS: dict[str, tuple[str, dict[str, str], str]] = {
    "orders-archive": ("orders", {}, "configured well: a failing record stops the task"),
    "payments-export": ("payments", {"errors.tolerance": "all"}, "drops what it cannot write, no DLQ (CNX010)"),
}


@contextlib.contextmanager
def demo_connect(cluster: Cluster) -> Iterator[str]:
    """A running Connect worker with the demo connectors; yields its REST URL, stops it after."""
    from connect_harness import ConnectWorker

    worker = ConnectWorker(cluster.settings, "demo-connect", cluster.bootstrap)
    worker.start()
    try:
        for name, (topic, extra, _) in DEMO_CONNECTORS.items():
            out = worker.directory / f"{name}.txt"
            config = {"connector.class": "FileStreamSink", "topics": topic, "file": str(out), **extra}
            worker.put_connector(name, config)
        for name in DEMO_CONNECTORS:
            worker.wait_tasks(name, {"RUNNING"})
        yield worker.url
    finally:
        worker.stop()


def seed(admin: Any) -> None:
    """Create the demo topics, or reset their configs if they exist."""
    from kafka.admin import ConfigResource, ConfigResourceType

    existing = set(admin.list_topics())
    missing = {
        name: {"num_partitions": 3, "replication_factor": rf, "configs": configs}
        for name, (rf, configs, _) in DEMO_TOPICS.items()
        if name not in existing
    }
    if missing:
        admin.create_topics(missing, wait_for_metadata=True)
    present = [name for name in DEMO_TOPICS if name in existing]
    if present:
        admin.alter_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, name, DEMO_TOPICS[name][1])
                for name in present
                if DEMO_TOPICS[name][1]
            ]
        )


def seed_services(cluster: Cluster) -> dict[str, str]:
    """The safe service's database (outbox with fresh rows, unique processed keys) and committed group.

    Returns the environment the audit reads the database URL from.
    """
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    path = cluster.run_dir / "demo-orders.db"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, status TEXT NOT NULL, created_at TIMESTAMP NOT NULL)")
        db.execute("INSERT INTO outbox (status, created_at) VALUES ('PENDING', CURRENT_TIMESTAMP)")
        db.execute("INSERT INTO outbox (status, created_at) VALUES ('SENT', datetime('now', '-1 hour'))")
        db.execute("CREATE TABLE processed_orders (order_id TEXT PRIMARY KEY, processed_at TIMESTAMP)")
    consumer = KafkaConsumer(bootstrap_servers=cluster.bootstrap, group_id="orders-shipping", enable_auto_commit=False)
    try:
        partitions = [TopicPartition("orders", p) for p in sorted(consumer.partitions_for_topic("orders") or ())]
        consumer.assign(partitions)
        consumer.commit({tp: OffsetAndMetadata(0, "", -1) for tp in partitions})
    finally:
        consumer.close()
    # Relative to the repository (the audit runs there), so reports don't carry this machine's path.
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return {"DEMO_ORDERS_DB_URL": f"sqlite:///{shown}"}


def main() -> int:
    cluster = Cluster.load()
    with cluster.admin_client() as admin:
        seed(admin)
    env = {**os.environ, **seed_services(cluster)}
    for name, (rf, configs, story) in DEMO_TOPICS.items():
        print(f"  topic {name:<12} RF {rf} {configs or ''}: {story}")
    for name, (topic, extra, story) in DEMO_CONNECTORS.items():
        print(f"  connector {name:<16} FileStreamSink <- {topic} {extra or ''}: {story}")
    print("  starting a Kafka Connect worker for them (about a minute) ...", flush=True)
    with demo_connect(cluster) as connect_url:
        code = _audit(cluster, env, connect_url)
    print(f"\nkafka-audit exited with {code} (1 = findings at or above --fail-on high, as this demo intends).")
    print("The cluster keeps running: `scripts/kafka-cluster env` prints its addresses; `make down` stops it.")
    return 0 if code in (0, 1) else code


def _audit(cluster: Cluster, env: dict[str, str], connect_url: str) -> int:
    command = [
        str(Path(sys.executable).with_name("kafka-audit")),
        "audit",
        "--bootstrap-server",
        cluster.sasl_bootstrap,
        "--command-config",
        str(cluster.auditor_config_path),
        "--services",
        str(SERVICES.relative_to(ROOT)),
        "--connect-url",
        connect_url,
    ]
    print("\n$ kafka-audit " + " ".join(command[1:]) + "\n", flush=True)
    return subprocess.run(command, check=False, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
