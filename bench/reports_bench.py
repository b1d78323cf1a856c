"""Benchmark: render every report format for a large audit (in-process, several runs, median).

    python bench/reports_bench.py [--topics 2000] [--runs 5]
    python bench/reports_bench.py --snapshot /tmp/snap-300k.json [--runs 3]

Builds the AuditResult a cluster of N topics x 3 partitions would give (the built-in rules over
a snapshot where a third of the topics are misconfigured), or judges a snapshot file (one of
bench/snapshot_gen.py's: 300,000 partitions give 2.5 million passes), then times each format
written to a file the way `kafka-audit audit --format F --output FILE` writes it (the CLI's own
`write_reports`: the JSON report encoded in pieces straight to the file, every other format
rendered and written). Prints each format's median wall and CPU time (on a shared machine wall
time also counts the wait for a core) and the file's size. Record the medians in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.model import Estate, Target, TargetKind
from auditor.report_cli import ReportRequest, write_reports
from auditor.reports import OutputFormat
from auditor.result import AuditResult
from tests.builders import snapshot, topic


def large_result(topics: int) -> AuditResult:
    cases = [
        topic(f"t{i:05}", rf=1 if i % 3 == 0 else 3, min_isr="1" if i % 3 == 1 else "2", partitions=3)
        for i in range(topics)
    ]
    snap = snapshot(*cases)
    target = Target(TargetKind.CLUSTER, snap.bootstrap, "kafka")
    return audit_estate(Estate(cluster=snap), (target,), load_rules(), AuditOptions())


def snapshot_result(path: Path) -> AuditResult:
    from auditor.sources.snapshot import read_snapshot

    cluster = read_snapshot(path)
    target = Target(TargetKind.CLUSTER, cluster.bootstrap, "kafka")
    return audit_estate(Estate(cluster=cluster), (target,), load_rules(), AuditOptions())


def time_format(result: AuditResult, fmt: OutputFormat, path: Path, runs: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU seconds of each run writing `fmt` to `path` as the CLI does, and the file's size."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stderr(io.StringIO()):  # the CLI's "wrote FILE" line
            write_reports(result, [ReportRequest(fmt, path)], None)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu, path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=2000)
    parser.add_argument("--snapshot", type=Path, help="judge this snapshot instead of building N topics")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = snapshot_result(args.snapshot) if args.snapshot else large_result(args.topics)
    source = args.snapshot or f"{args.topics} topics"
    print(f"{source}: {len(result.findings)} findings, {len(result.passes)} passes")
    with tempfile.TemporaryDirectory(prefix="reports-bench-") as folder:
        for fmt in OutputFormat:
            wall, cpu, size = time_format(result, fmt, Path(folder) / f"report.{fmt.value}", args.runs)
            print(
                f"{fmt.value:9} median {statistics.median(wall):7.3f} s wall, {statistics.median(cpu):7.3f} s CPU"
                f"  {size / 1e6:6.1f} MB  runs {[round(s, 3) for s in wall]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
