"""Three 1-node harness clusters for the fleet test and bench, on this checkout's port range.

Cluster i (1..3) runs in $KAFKA_AUDIT_RUN_DIR/fleet-i on port base KAFKA_AUDIT_PORT_BASE + 10 * i:
its node uses base+1, base+101, base+201 and base+301, so the three stay clear of each other,
of the checkout's own cluster (KAFKA_AUDIT_PORT_BASE) and of PostgreSQL (KAFKA_AUDIT_PORT_BASE + 50).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

SCRIPTS_DIR = Path(__file__).resolve().parents[1] / "scripts"
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from kafka_cluster import Cluster, Settings  # noqa: E402

FLEET = ("fleet-a", "fleet-b", "fleet-c")
PORT_STEP = 10


def fleet_cluster(index: int) -> Cluster:
    base = Settings.from_env()
    settings = replace(base, run_dir=base.run_dir / f"fleet-{index}", port_base=base.port_base + PORT_STEP * index)
    return Cluster.load(settings)


@contextmanager
def three_clusters() -> Iterator[dict[str, Cluster]]:
    """The three clusters, started (or reused) and stopped after, by their fleet names."""
    clusters = {name: fleet_cluster(i) for i, name in enumerate(FLEET, start=1)}
    started = [name for name, cluster in clusters.items() if cluster.up(1) is not None]
    try:
        yield clusters
    finally:
        for name in started:
            clusters[name].down()


__all__ = ["FLEET", "Cluster", "fleet_cluster", "three_clusters"]
