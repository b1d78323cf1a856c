"""Benchmark: three clusters audited in one run vs one cluster (the fleet's target: at most 1.5x).

    python bench/fleet_bench.py [--runs 5] [--json results.json]

Starts (or reuses) the three 1-node harness clusters of tests/fleet_clusters.py (ports
KAFKA_AUDIT_PORT_BASE + 10, + 20, + 30), gives each 200 topics, then alternates
`kafka-audit audit --cluster fleet-a=...` and the same with all three clusters, each a fresh
process, and prints the medians, the ratio of medians and the median of per-run ratios.
Stops the clusters it started.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fleet_clusters import Cluster, three_clusters  # noqa: E402

TOPICS_PER_CLUSTER = 200


def seed(cluster: Cluster, name: str) -> None:
    with cluster.admin_client(request_timeout_ms=120_000) as admin:
        existing = set(admin.list_topics())
        wanted = [f"{name}-t{i:04d}" for i in range(TOPICS_PER_CLUSTER)]
        missing = {t: {"num_partitions": 3, "replication_factor": 1} for t in wanted if t not in existing}
        if missing:
            admin.create_topics(missing)


def timed(command: list[str]) -> float:
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - started
    if done.returncode not in (0, 1) or json.loads(done.stdout)["coverage"]["gaps"]:
        raise SystemExit(f"audit failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    audit = [str(Path(sys.executable).parent / "kafka-audit"), "audit", "--format", "json", "--fail-on", "never"]
    with three_clusters() as clusters:
        for name, cluster in clusters.items():
            seed(cluster, name)
        flags = {name: ["--cluster", f"{name}={c.bootstrap}"] for name, c in clusters.items()}
        one = [*audit, *flags["fleet-a"]]
        three = [*audit, *(flag for pair in flags.values() for flag in pair)]
        rounds = [(timed(one), timed(three)) for _ in range(args.runs)]
    ones, threes = [r[0] for r in rounds], [r[1] for r in rounds]
    result = {
        "runs": args.runs,
        "one_cluster_median_s": round(statistics.median(ones), 2),
        "three_clusters_median_s": round(statistics.median(threes), 2),
        "ratio_of_medians": round(statistics.median(threes) / statistics.median(ones), 2),
        "median_of_run_ratios": round(statistics.median(t / o for o, t in rounds), 2),
        "one_cluster_s": [round(s, 2) for s in ones],
        "three_clusters_s": [round(s, 2) for s in threes],
        "load_average_after": os.getloadavg(),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
