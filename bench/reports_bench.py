"""Benchmark: render every report format for a large audit (in-process, several runs, median).

    python bench/reports_bench.py [--topics 2000] [--runs 5]

Builds the AuditResult a cluster of N topics x 3 partitions would give (the built-in rules over
a snapshot where a third of the topics are misconfigured), then times each formatter alone:
reports are pure functions, so this is their whole cost. Prints each format's median and
checks count. Record the medians in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.model import Estate, Target, TargetKind
from auditor.reports import OutputFormat, RenderOptions, render
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = large_result(args.topics)
    print(f"{args.topics} topics: {len(result.findings)} findings, {len(result.passes)} passes")
    options = RenderOptions(source_root="/repo")
    for fmt in OutputFormat:
        seconds = []
        for _ in range(args.runs):
            started = time.perf_counter()
            text = render(result, fmt, options)
            seconds.append(time.perf_counter() - started)
        print(f"{fmt.value:9} median {statistics.median(seconds):7.3f} s  {len(text) / 1e6:6.1f} MB  runs {seconds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
