"""Benchmark: the live audit of the 20,000-topic cluster, as a user runs it, with the default --timeout.

    KAFKA_AUDIT_BROKER_HEAP=1536m scripts/kafka-cluster up --nodes 5
    python bench/seed.py up --topics 20000 --replication-factor 1 --groups 1000 --batch 500
    python bench/collect_big.py --runs 5 --json bench/collect_big_results.json
    scripts/kafka-cluster down

Each round runs two fresh `kafka-audit audit --bootstrap-server ...` processes, alternating: the
table report, and `--format json --output FILE` (every pass written too); `--fail-on never`, and
no `--timeout` (unless --audit-timeout S): the default budget is part of what is measured. For each: wall time, CPU time
(user + system) and peak RSS (wait4 rusage), and from the JSON report its coverage gaps and how
many topics and partitions it judged. Then medians, and one in-process audit that counts the
requests per API and the peak of requests in flight on each broker connection
(tests/api_recorder.py). Exits 1 when any run left a gap or failed, or the report does not hold
the seeded topics: a run that skipped part of the cluster is not a measurement.

Where the time goes: python bench/profile_audit.py --bootstrap-server HOST:PORT --runs 3.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from collect import TIMEOUT, Measured, live_bench_start, measure  # noqa: E402
from kafka_cluster import Cluster  # noqa: E402

SEEDED_PREFIX = "bench-topic-"


def audit_command(bootstrap: str, *extra: str) -> list[str]:
    kafka_audit = str(Path(sys.executable).parent / "kafka-audit")
    return [kafka_audit, "audit", "--bootstrap-server", bootstrap, "--fail-on", "never", *TIMEOUT, *extra]


def judged(report: dict[str, Any]) -> dict[str, int]:
    """How much of the cluster the JSON report judged: seeded topics and their partitions (from the
    passes and findings on topics and partitions), and its coverage gaps."""
    topics: set[str] = set()
    partitions: set[str] = set()
    for entry in [*report["findings"], *report["passed"]]:
        resource = entry.get("resource") or {}
        kind, name = resource.get("kind"), str(resource.get("name", ""))
        if kind == "topic" and name.startswith(SEEDED_PREFIX):
            topics.add(name)
        elif kind == "partition" and name.startswith(SEEDED_PREFIX):
            partitions.add(name)
            topics.add(name.rsplit("-", 1)[0])
    return {"topics": len(topics), "partitions": len(partitions), "gaps": len(report["coverage"]["gaps"])}


def read_report(out: Path) -> dict[str, Any]:
    """judged() and the first gaps of the report at `out`, read by a child process: this process
    must stay small, because Linux gives a child the peak RSS its parent had when it forked (exec
    keeps it), so a parent holding a 120 MB report would be every later audit's peak."""
    code = (
        "import json, sys; sys.path[:0] = [sys.argv[2]]; from collect_big import judged; "
        "r = json.load(open(sys.argv[1])); print(json.dumps({**judged(r), 'first': r['coverage']['gaps'][:5]}))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(out), str(ROOT / "bench")], capture_output=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def one_round(bootstrap: str, out: Path) -> dict[str, Any]:
    table, _ = measure(audit_command(bootstrap))
    as_json, _ = measure(audit_command(bootstrap, "--format", "json", "--output", str(out)))
    report = read_report(out)
    gaps = report.pop("first")
    return {"table": asdict(table), "json": asdict(as_json), "report": report, "gaps": gaps}


def count_requests(bootstrap: str) -> dict[str, Any]:
    """One in-process audit: requests per API, and each connection's peak of requests in flight."""
    from auditor.audit import AuditOptions, audit_cluster
    from auditor.cli import tune_gc
    from auditor.sources.connection import ConnectionSettings
    from tests.api_recorder import recorded_requests

    tune_gc()
    in_flight: dict[str, int] = {}
    with recorded_requests(in_flight) as sent:
        audit_cluster(ConnectionSettings(tuple(bootstrap.split(",")), timeout_s=120), AuditOptions(fail_on=None))
    return {"requests": dict(sorted(sent.items())), "peak_in_flight": dict(sorted(in_flight.items()))}


def summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    def median(kind: str, field: str) -> float:
        return round(float(statistics.median(r[kind][field] for r in rounds)), 2)

    return {
        "runs": len(rounds),
        **{f"{kind}_{field}_median": median(kind, field) for kind in ("table", "json")
           for field in ("seconds", "cpu_s", "peak_rss_mb")},
        "table_seconds": [round(r["table"]["seconds"], 2) for r in rounds],
        "json_seconds": [round(r["json"]["seconds"], 2) for r in rounds],
        "table_cpu_s": [round(r["table"]["cpu_s"], 2) for r in rounds],
        "json_cpu_s": [round(r["json"]["cpu_s"], 2) for r in rounds],
        "peak_rss_mb_max": round(max(max(r["table"]["peak_rss_mb"], r["json"]["peak_rss_mb"]) for r in rounds), 1),
        "gaps_max": max(r["report"]["gaps"] for r in rounds),
        "topics_judged_min": min(r["report"]["topics"] for r in rounds),
        "partitions_judged_min": min(r["report"]["partitions"] for r in rounds),
    }  # fmt: skip


def problems(rounds: list[dict[str, Any]], topics: int) -> list[str]:
    """Why the runs do not measure a whole audit of the seeded cluster (empty when they do)."""
    found = []
    for index, r in enumerate(rounds, 1):
        failed = [kind for kind in ("table", "json") if Measured(**r[kind]).exit_code != 0]
        if failed:
            found.append(f"run {index}: {', '.join(failed)} audit exited non-zero")
        if r["report"]["gaps"]:
            found.append(f"run {index}: {r['report']['gaps']} coverage gap(s), e.g. {r['gaps'][:2]}")
        if r["report"]["topics"] < topics:
            found.append(f"run {index}: {r['report']['topics']} of the {topics} seeded topics judged")
    return found


def seeded_topics(cluster: Cluster) -> int:
    with cluster.admin_client() as admin:
        return sum(1 for name in admin.list_topics() if name.startswith(SEEDED_PREFIX))


def main() -> int:
    args, cluster = live_bench_start(__doc__)
    topics = seeded_topics(cluster)
    out = Path(tempfile.mkdtemp()) / "audit.json"
    rounds = []
    load_before = os.getloadavg()
    for index in range(args.runs):
        rounds.append(one_round(cluster.bootstrap, out))
        last = rounds[-1]
        print(f"run {index + 1}: table {last['table']['seconds']:.2f} s ({last['table']['cpu_s']:.2f} s CPU, "
              f"{last['table']['peak_rss_mb']:.0f} MB), json {last['json']['seconds']:.2f} s "
              f"({last['json']['cpu_s']:.2f} s CPU, {last['json']['peak_rss_mb']:.0f} MB), {last['report']}",
              file=sys.stderr)  # fmt: skip
    result = {"brokers": len(cluster.nodes), "seeded_topics": topics, "timeout": TIMEOUT[1:] or ["default"],
              "summary": summary(rounds),
              **count_requests(cluster.bootstrap), "rounds": rounds, "load_average_before": load_before,
              "load_average_after": os.getloadavg(), "cpus": os.cpu_count()}  # fmt: skip
    result["problems"] = problems(rounds, topics)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    shown = ("brokers", "seeded_topics", "summary", "requests", "peak_in_flight", "problems", "load_average_before",
             "load_average_after")  # fmt: skip
    print(json.dumps({key: result[key] for key in shown}, indent=1))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
