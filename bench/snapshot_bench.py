"""Benchmark and regression guard: `kafka-audit audit --snapshot` of generated snapshots, 6k to 300k partitions.

    python bench/snapshot_bench.py [--partitions 6000 60000 300000] [--runs 3] [--record FILE]
    python bench/snapshot_bench.py --check [--record FILE]      # the regression guard (make bench)

Generates each snapshot with bench/snapshot_gen.py (the seeded 2,000-topic bench cluster's shape,
multiplied; never committed), then runs the real command, `kafka-audit audit --snapshot FILE
--format json --output FILE --fail-on never`, in a fresh process each run: wall time and peak
RSS (wait4 ru_maxrss), CPU time (user + system), medians of the runs, and the cost per
partition (linear growth keeps it flat). `--record` writes the medians to
bench/snapshot_results.json; `--check` audits the 60,000-partition snapshot again and fails
(exit 1) when its median CPU time is more than twice the recorded one (CPU time: on a shared
machine wall time also counts the wait for a core).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import snapshot_gen  # noqa: E402

RESULTS = ROOT / "bench" / "snapshot_results.json"
GUARD_PARTITIONS = 60_000
GUARD_FACTOR = 2.0


def measure(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of the command, which must exit 0.

    On a shared machine the CPU time is the steadier figure: wall time also counts waiting for a core."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        assert process.stderr is not None
        raise SystemExit(f"{' '.join(command)} exited {code}: {process.stderr.read().decode()[-500:]}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def bench(partitions: int, runs: int, folder: Path) -> dict[str, Any]:
    snapshot = snapshot_gen.write_apart(partitions, folder / f"snapshot-{partitions}.json")
    report = folder / "report.json"
    audit = [str(Path(sys.executable).parent / "kafka-audit"), "audit", "--snapshot", str(snapshot)]
    command = [*audit, "--format", "json", "--output", str(report), "--fail-on", "never"]
    measured = [measure(command) for _ in range(runs)]
    seconds = statistics.median(m[0] for m in measured)
    document = json.loads(report.read_text())
    return {
        "partitions": partitions,
        "snapshot_mb": round(snapshot.stat().st_size / 1e6, 1),
        "checks": len(document["passed"]) + len(document["findings"]),
        "runs_s": [round(m[0], 2) for m in measured],
        "median_s": round(seconds, 2),
        "peak_rss_mb": round(max(m[1] for m in measured)),
        "cpu_runs_s": [round(m[2], 2) for m in measured],
        "cpu_median_s": round(statistics.median(m[2] for m in measured), 2),
        "us_per_partition": round(seconds / partitions * 1e6, 1),
    }


def check(record: Path, runs: int) -> int:
    recorded = json.loads(record.read_text())["results"]
    baseline = next(r for r in recorded if r["partitions"] == GUARD_PARTITIONS)
    with tempfile.TemporaryDirectory() as folder:
        now = bench(GUARD_PARTITIONS, runs, Path(folder))
    limit = GUARD_FACTOR * baseline["cpu_median_s"]
    verdict = "ok" if now["cpu_median_s"] <= limit else "REGRESSION"
    print(f"{GUARD_PARTITIONS} partitions: median CPU {now['cpu_median_s']} s, wall {now['median_s']} s "
          f"(recorded CPU {baseline['cpu_median_s']} s, limit {limit:.2f} s): {verdict}")  # fmt: skip
    return 0 if verdict == "ok" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partitions", type=int, nargs="+", default=[6_000, 60_000, 300_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--record", type=Path, help=f"write the results here (the guard reads {RESULTS.name})")
    parser.add_argument("--check", action="store_true", help="the regression guard on the 60,000-partition snapshot")
    args = parser.parse_args()
    if args.check:
        return check(args.record or RESULTS, args.runs)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for partitions in args.partitions:
            results.append(bench(partitions, args.runs, Path(folder)))
            print(json.dumps(results[-1]), flush=True)
    if args.record:
        document = {"load_average": os.getloadavg(), "cpus": os.cpu_count(), "results": results}
        args.record.write_text(json.dumps(document, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
