"""Benchmark: `kafka-audit plan` on the 2,000-topic bench cluster's shape, against `audit` of the same.

    python bench/plan_bench.py [--topics 2000] [--runs 5]

Writes a snapshot shaped like bench/seed.py's cluster (3 brokers on 3 racks, 3 partitions per
topic; a third of the topics with replication factor 1, a third with 2 and min.insync.replicas 1
overridden, a third healthy), then runs `kafka-audit audit --snapshot` and `kafka-audit plan
--snapshot` alternately in fresh processes, as a user would, and prints each wall time, the
medians and the median of the per-run differences (what planning costs beyond the audit).
Record them in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.model import (  # noqa: E402
    Broker,
    ClusterSnapshot,
    ConfigSource,
    ConfigValue,
    ControllerQuorum,
    Partition,
    QuorumVoter,
    Topic,
)
from auditor.sources.snapshot import write_snapshot  # noqa: E402

HEALTHY = {"min.insync.replicas": "2", "default.replication.factor": "3", "unclean.leader.election.enable": "false"}


def cluster(topics: int) -> ClusterSnapshot:
    brokers = tuple(
        Broker(b, "127.0.0.1", 9090 + b, f"rack-{b}", configs=_configs(HEALTHY, ConfigSource.STATIC_BROKER))
        for b in (1, 2, 3)
    )
    return ClusterSnapshot(
        bootstrap="127.0.0.1:9092",
        collected_at="2026-12-01T00:00:00+00:00",
        cluster_id="bench",
        brokers=brokers,
        topics=tuple(_topic(i) for i in range(topics)),
        quorum=ControllerQuorum(1, tuple(QuorumVoter(b) for b in (1, 2, 3))),
    )


def _topic(i: int) -> Topic:
    rf = (1, 2, 3)[i % 3]
    name = f"bench-{i:05d}"
    partitions = tuple(_partition(name, p, rf, i) for p in range(3))
    configs = _configs(
        {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"}, ConfigSource.STATIC_BROKER
    )
    if rf == 2:
        configs["min.insync.replicas"] = ConfigValue("min.insync.replicas", "1", ConfigSource.TOPIC_OVERRIDE)
    return Topic(name, False, partitions, configs)


def _partition(topic: str, index: int, rf: int, seed: int) -> Partition:
    replicas = tuple(1 + (seed + index + k) % 3 for k in range(rf))
    return Partition(topic, index, replicas[0], replicas, replicas)


def _configs(values: dict[str, str], source: ConfigSource) -> dict[str, ConfigValue]:
    return {key: ConfigValue(key, value, source) for key, value in values.items()}


def timed(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"kafka-audit {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        snapshot = Path(folder) / "cluster.json"
        write_snapshot(cluster(options.topics), snapshot)
        audits, plans = [], []
        for run in range(options.runs):
            audits.append(
                timed("audit", "--snapshot", str(snapshot), "--format", "json", "--output", f"{folder}/r.json")
            )
            plans.append(timed("plan", "--snapshot", str(snapshot), "--output-dir", f"{folder}/plan"))
            print(f"run {run + 1}: audit {audits[-1]:.2f} s, plan {plans[-1]:.2f} s")
        moves = (Path(folder) / "plan" / "plan.md").read_text().splitlines()[2]
    differences = [p - a for a, p in zip(audits, plans, strict=True)]
    print(f"{options.topics} topics: {moves}")
    print(
        f"median audit {statistics.median(audits):.2f} s, plan {statistics.median(plans):.2f} s, "
        f"plan - audit per run: median {statistics.median(differences):.2f} s"
    )


if __name__ == "__main__":
    main()
