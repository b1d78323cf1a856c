#!/usr/bin/env python3
"""The demo scenario: seed the local cluster with topics configured well and badly, then audit it.

Run by `make demo` after `scripts/kafka-cluster up`. Seeding is idempotent: existing demo topics
get their configs set again. The audit is the real command a user would type.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kafka_cluster import Cluster

# name -> (replication factor, topic config overrides, what it shows)
DEMO_TOPICS: dict[str, tuple[int, dict[str, str], str]] = {
    "orders": (3, {"min.insync.replicas": "2"}, "configured well"),
    "payments": (3, {"min.insync.replicas": "1"}, "acks=all means acks=1 (STO002)"),
    "audit-log": (1, {}, "a single copy (STO001), and min ISR 2 > RF 1 blocks acks=all (STO003)"),
    "clickstream": (2, {}, "two copies, min ISR = RF (STO001, STO003)"),
    "inventory": (3, {"unclean.leader.election.enable": "true"}, "unclean election (STO004)"),
    "shipments": (3, {"min.insync.replicas": "3"}, "min ISR = RF: one broker down blocks writes (STO003)"),
}


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


def main() -> int:
    cluster = Cluster.load()
    with cluster.admin_client() as admin:
        seed(admin)
    for name, (rf, configs, story) in DEMO_TOPICS.items():
        print(f"  topic {name:<12} RF {rf} {configs or ''}: {story}")
    command = [
        str(Path(sys.executable).with_name("kafka-audit")),
        "audit",
        "--bootstrap-server",
        cluster.sasl_bootstrap,
        "--command-config",
        str(cluster.auditor_config_path),
    ]
    print("\n$ kafka-audit " + " ".join(command[1:]) + "\n", flush=True)
    code = subprocess.run(command, check=False).returncode
    print(f"\nkafka-audit exited with {code} (1 = findings at or above --fail-on high, as this demo intends).")
    print("The cluster keeps running: `scripts/kafka-cluster env` prints its addresses; `make down` stops it.")
    return 0 if code in (0, 1) else code


if __name__ == "__main__":
    sys.exit(main())
