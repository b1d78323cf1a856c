"""Interleaved live audits of two checkouts on the same cluster: another tree (the previous main)
against this one, round by round, so that both see the same load and the same cluster.

    git worktree add /tmp/before origin/main
    python bench/live_compare.py --before /tmp/before [--before-python /tmp/before-venv/bin/python] --runs 5

Each run is a fresh `python -m auditor audit --bootstrap-server ... --format table --fail-on never`
(the cluster of scripts/kafka-cluster at KAFKA_AUDIT_PORT_BASE, seeded by bench/seed.py), the
`auditor` package taken from the tree named, both trees' bytecode written first (as an installed
kafka-audit has it). Per run: CPU time (user + system; on a shared machine steadier than wall
time), wall time, peak RSS and the load average when it started; then the medians and the median
of the per-run ratios (before / now). A run that exits other than 0 stops the bench.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "bench")]

from collect import measure  # noqa: E402
from kafka_cluster import Cluster  # noqa: E402


def audit(tree: Path, python: str, bootstrap: str, timeout: float) -> dict[str, Any]:
    os.environ["PYTHONPATH"] = str(tree)
    os.chdir(tree)  # `python -m` puts the working folder first on sys.path, before PYTHONPATH
    command = [python, "-m", "auditor", "audit", "--bootstrap-server", bootstrap, "--timeout", str(timeout)]
    load = os.getloadavg()[0]
    measured, _ = measure([*command, "--format", "table", "--fail-on", "never"])
    if measured.exit_code != 0:
        raise SystemExit(f"{tree}: the audit exited {measured.exit_code}")
    return {
        "cpu_s": round(measured.cpu_s, 2),
        "wall_s": round(measured.seconds, 2),
        "peak_rss_mb": round(measured.peak_rss_mb),
        "load": round(load, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="the other checkout (its auditor/ is used)")
    parser.add_argument("--before-python", default=sys.executable, help="the interpreter for the other checkout")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=120.0, help="the audits' --timeout")
    args = parser.parse_args()
    cluster = Cluster.load()
    if not cluster.is_ready():
        raise SystemExit("no ready cluster: run scripts/kafka-cluster up (with your KAFKA_AUDIT_PORT_BASE)")
    trees = {"before": (args.before.resolve(), args.before_python), "now": (ROOT, sys.executable)}
    for tree, _ in trees.values():
        compileall.compile_dir(str(tree / "auditor"), quiet=1)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, (tree, python) in trees.items():
            runs[name].append(audit(tree, python, cluster.bootstrap, args.timeout))
        print(json.dumps({name: rows[-1] for name, rows in runs.items()}), file=sys.stderr, flush=True)
    result: dict[str, Any] = {}
    for name, rows in runs.items():
        result[name] = {key: [r[key] for r in rows] for key in rows[0]}
        for key in ("cpu_s", "wall_s"):
            result[name][f"{key}_median"] = round(statistics.median(r[key] for r in rows), 2)
    for key in ("cpu_s", "wall_s"):
        ratios = [b[key] / n[key] for b, n in zip(runs["before"], runs["now"], strict=True)]
        result[f"median_of_run_ratios_{key}"] = round(statistics.median(ratios), 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
