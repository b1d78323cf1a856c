"""A fleet on real clusters: three harness clusters audited in one run, and CI shards merged.

The run's report has each cluster as its own target and each cluster's resources named by it;
the merge of the three single-cluster reports (`kafka-audit report merge`) is that same report.
Timings (three clusters in one run vs one) are bench/fleet_bench.py's, in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fleet_clusters import FLEET, Cluster, three_clusters
from tests.report_schema import assert_valid_report

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-m", "auditor"]


@pytest.fixture(scope="module")
def fleet() -> Iterator[dict[str, Cluster]]:
    with three_clusters() as clusters:
        for name, cluster in clusters.items():
            with cluster.admin_client() as admin:
                if f"{name}-orders" not in admin.list_topics():
                    admin.create_topics({f"{name}-orders": {"num_partitions": 2, "replication_factor": 1}})
        yield clusters


def audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def cluster_flags(clusters: dict[str, Cluster]) -> list[str]:
    return [flag for name, c in clusters.items() for flag in ("--cluster", f"{name}={c.bootstrap}")]


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs between two runs of the same audit: when and how long."""
    run = {k: v for k, v in report["run"].items() if k not in ("started_at", "duration_ms")}
    return {**report, "run": run}


def test_three_clusters_in_one_run_are_three_targets_with_one_exit_code(fleet: dict[str, Cluster]) -> None:
    done = audit("audit", *cluster_flags(fleet), "--format", "json")
    assert done.returncode == 1, done.stderr  # 1-node clusters: replication factor 1 fails STO001
    report = json.loads(done.stdout)
    assert_valid_report(report)
    assert report["targets"] == [{"kind": "cluster", "name": name, "format": "kafka"} for name in FLEET]
    assert report["coverage"]["gaps"] == []
    for name in FLEET:
        resource = {"kind": "topic", "name": f"{name}-orders", "cluster": name}
        ours = [f for f in report["findings"] if f["resource"] == resource]
        assert any(f["rule_id"] == "STO001" for f in ours), name
    assert all("cluster" in p["resource"] for p in report["passed"])


def test_the_merge_of_three_shards_is_the_one_run_report(fleet: dict[str, Cluster], tmp_path: Path) -> None:
    shards = []
    for name, cluster in fleet.items():
        shards.append(tmp_path / f"{name}.json")
        flags = ("--cluster", f"{name}={cluster.bootstrap}", "--format", "json", "--output", str(shards[-1]))
        done = audit("audit", *flags)
        assert done.returncode == 1, done.stderr
    one_run = audit("audit", *cluster_flags(fleet), "--format", "json")
    merged = audit("report", "merge", *map(str, shards), "--format", "json")
    assert merged.returncode == one_run.returncode == 1, merged.stderr
    assert comparable(json.loads(merged.stdout)) == comparable(json.loads(one_run.stdout))


def test_an_unreachable_cluster_is_exit_3_and_the_others_are_still_reported(fleet: dict[str, Cluster]) -> None:
    down = "fleet-down=127.0.0.1:9"  # nothing listens on the discard port
    done = audit("audit", *cluster_flags(fleet), "--cluster", down, "--timeout", "5", "--format", "json")
    assert done.returncode == 3, done.stderr
    report = json.loads(done.stdout)
    assert [g["resource"] for g in report["coverage"]["gaps"]] == ["cluster fleet-down"]
    assert {f["resource"].get("cluster") for f in report["findings"]} == set(FLEET)


def test_an_inventory_file_audits_the_same_fleet(fleet: dict[str, Cluster], tmp_path: Path) -> None:
    inventory = tmp_path / "clusters.yaml"
    lines = ["clusters:"] + [f"  - {{name: {n}, bootstrap: '{c.bootstrap}'}}" for n, c in fleet.items()]
    inventory.write_text("\n".join(lines) + "\n")
    by_file = audit("audit", "--clusters", str(inventory), "--format", "json")
    by_flags = audit("audit", *cluster_flags(fleet), "--format", "json")
    assert by_file.returncode == by_flags.returncode == 1, by_file.stderr
    assert comparable(json.loads(by_file.stdout)) == comparable(json.loads(by_flags.stdout))
