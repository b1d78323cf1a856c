"""Interleaved runs of two checkouts on the same generated snapshots: another tree (the previous
main) against this one, round by round, so that both see the same load.

    git worktree add /tmp/before origin/main
    python bench/snapshot_compare.py --before /tmp/before --partitions 6000 60000 --runs 3
    python bench/snapshot_compare.py --before /tmp/before --snapshot snap-300000.json --runs 1
    python bench/snapshot_compare.py --before /tmp/before --before-python /tmp/before-venv/bin/python ...

Each run is a fresh `python -m auditor audit --snapshot FILE --format json --output FILE
--fail-on never` with this interpreter, the `auditor` package taken from the tree named (the
`before` tree through PYTHONPATH, run from inside it); with --before-python, the before tree runs
on that interpreter (a virtualenv with the before tree's dependencies, when they changed). Per
run: CPU time (user + system), wall time, peak RSS and the load average when it started; then
whether the two JSON reports are identical but for the run's start time and duration (they must
be: a speed-up that changes a finding is a bug).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import snapshot_gen  # noqa: E402
from snapshot_bench import measure  # noqa: E402


def audit(tree: Path, python: str, snapshot: Path, report: Path) -> dict[str, Any]:
    os.environ["PYTHONPATH"] = str(tree)
    os.chdir(tree)  # `python -m` puts the working folder first on sys.path, before PYTHONPATH
    command = [python, "-m", "auditor", "audit", "--snapshot", str(snapshot)]
    load = os.getloadavg()[0]
    wall, rss, cpu = measure([*command, "--format", "json", "--output", str(report), "--fail-on", "never"])
    return {"cpu_s": round(cpu, 2), "wall_s": round(wall, 2), "peak_rss_mb": round(rss), "load": round(load, 1)}


def same_report(first: Path, second: Path) -> bool:
    def without_run_times(path: Path) -> Any:
        document = json.loads(path.read_text())
        del document["run"]["started_at"], document["run"]["duration_ms"]
        return document

    return bool(without_run_times(first) == without_run_times(second))


def compare(snapshot: Path, before: tuple[Path, str], runs: int, folder: Path) -> dict[str, Any]:
    trees = {"before": before, "now": (ROOT, sys.executable)}
    measured: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for _ in range(runs):
        for name, (tree, python) in trees.items():
            measured[name].append(audit(tree, python, snapshot, folder / f"{name}.json"))
    result: dict[str, Any] = {"snapshot": snapshot.name, "snapshot_mb": round(snapshot.stat().st_size / 1e6, 1)}
    for name, rows in measured.items():
        result[name] = {
            "runs": rows,
            "cpu_median_s": round(statistics.median(r["cpu_s"] for r in rows), 2),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rows),
        }
    result["reports_identical"] = same_report(folder / "before.json", folder / "now.json")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="the other checkout (its auditor/ is used)")
    parser.add_argument("--before-python", default=sys.executable, help="the interpreter for the other checkout")
    parser.add_argument("--partitions", type=int, nargs="*", default=[], help="generate snapshots of these sizes")
    parser.add_argument("--snapshot", type=Path, nargs="*", default=[], help="snapshots already generated")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        snapshots = [path.resolve() for path in args.snapshot]
        snapshots += [snapshot_gen.write_apart(p, folder / f"snapshot-{p}.json") for p in args.partitions]
        for snapshot in snapshots:
            result = compare(snapshot, (args.before.resolve(), args.before_python), args.runs, folder)
            print(json.dumps(result), flush=True)
            if not result["reports_identical"]:
                print(f"{snapshot}: the two reports differ", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
