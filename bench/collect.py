"""Benchmark: kafka-audit's full audit vs collecting the same facts with Kafka's own CLI tools.

    python bench/seed.py up                     # 2,000 topics x 3 partitions, 100 groups
    python bench/collect.py --runs 5 --json bench/results.json
    python bench/seed.py down

Side by side in one run, alternating, several runs: (a) `kafka-audit audit` on the cluster,
with the default report (a table) and with `--format json` (which lists every pass as well),
(b) the Kafka CLI tools from the same jars, one after the other: kafka-topics --describe,
kafka-configs --describe --all (all topics, all brokers), kafka-consumer-groups --describe
--all-groups, (c) the floor (bench/floor.py): the audit's own requests, recorded once before
the runs, replayed by a fresh process with the same client library, answers decoded and
dropped. Wall time and peak RSS of each process (wait4 rusage); medians, the ratios of medians
and the medians of the per-run ratios. Then one in-process audit that counts the requests it
sends per API.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from kafka_cluster import Cluster  # noqa: E402
from profile_audit import compiled  # noqa: E402

TOOLS = {
    "kafka-topics --describe": ("org.apache.kafka.tools.TopicCommand", "--describe"),
    "kafka-configs --describe --all --entity-type topics": (
        "kafka.admin.ConfigCommand", "--describe", "--all", "--entity-type", "topics",
    ),
    "kafka-configs --describe --all --entity-type brokers": (
        "kafka.admin.ConfigCommand", "--describe", "--all", "--entity-type", "brokers",
    ),
    "kafka-consumer-groups --describe --all-groups": (
        "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--describe", "--all-groups",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    output_bytes: int
    cpu_s: float  # user + system: on a shared machine steadier than wall time


def measure(command: list[str]) -> tuple[Measured, bytes]:
    """Run to completion; wall time, the child's peak RSS (ru_maxrss), exit code; and its stdout."""
    started = time.monotonic()
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=devnull)
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(seconds, usage.ru_maxrss / 1024, process.returncode, len(output), cpu), output


TIMEOUT: list[str] = []  # --timeout S for the audit (main: --audit-timeout), when the machine is too loaded for 30 s


def audit_commands(bootstrap: str) -> dict[str, list[str]]:
    audit = [str(Path(sys.executable).parent / "kafka-audit"), "audit", "--bootstrap-server", bootstrap, *TIMEOUT]
    return {"table": [*audit, "--fail-on", "never"], "json": [*audit, "--fail-on", "never", "--format", "json"]}


def tool_commands(cluster: Cluster) -> dict[str, list[str]]:
    cluster.run_kafka_tool("org.apache.kafka.tools.TopicCommand", "--version")  # writes the tools' log4j config
    return {
        name: cluster._tool_command(main, "--bootstrap-server", cluster.bootstrap, *args)
        for name, (main, *args) in TOOLS.items()
    }


def floor_command(cluster: Cluster, recorded: Path, action: str = "replay") -> list[str]:
    """`floor.py replay FILE` (the floor), or `floor.py record --output FILE`."""
    where = [str(recorded)] if action == "replay" else ["--output", str(recorded)]
    return [sys.executable, str(ROOT / "bench" / "floor.py"), action, *where, "--bootstrap-server", cluster.bootstrap]


def coverage_gaps(report: bytes) -> list[Any]:
    """The JSON report's coverage gaps, read without decoding the whole 7 MB report: its objects
    would stay in this process's peak RSS, which every process forked after it starts with."""
    start = report.find(b'"gaps":', report.find(b'"coverage":'))
    if start < 0:
        raise SystemExit("the JSON report has no coverage gaps list")
    text = report[start + len(b'"gaps":') : start + 1_000_000].decode()
    gaps, _ = json.JSONDecoder().raw_decode(text.lstrip())
    return list(gaps)


def one_round(cluster: Cluster, tools: dict[str, list[str]], recorded: Path) -> dict[str, Any]:
    audits = {name: measure(command) for name, command in audit_commands(cluster.bootstrap).items()}
    floor_run = measure(floor_command(cluster, recorded))[0]
    steps = {name: measure(command)[0] for name, command in tools.items()}
    failed = [name for name, (m, _) in audits.items() if m.exit_code != 0] + (["floor"] if floor_run.exit_code else [])
    failed += [name for name, m in steps.items() if m.exit_code != 0]
    gaps = coverage_gaps(audits["json"][1])
    if failed or gaps:
        raise SystemExit(f"failed: {failed}; gaps: {gaps[:3]}")
    return {
        "audit": asdict(audits["table"][0]),
        "audit_json": asdict(audits["json"][0]),
        "floor": asdict(floor_run),
        "tools": {name: asdict(m) for name, m in steps.items()},
        "tools_seconds": sum(m.seconds for m in steps.values()),
        "tools_peak_rss_mb": max(m.peak_rss_mb for m in steps.values()),
    }


def count_requests(cluster: Cluster) -> dict[str, int]:
    from auditor.audit import AuditOptions, audit_cluster
    from auditor.sources.connection import ConnectionSettings
    from tests.api_recorder import recorded_requests

    settings = ConnectionSettings(tuple(cluster.bootstrap.split(",")), timeout_s=60)
    with recorded_requests() as sent:
        audit_cluster(settings, AuditOptions(fail_on=None))
    return dict(sorted(sent.items()))


def summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    audit_s = statistics.median(r["audit"]["seconds"] for r in rounds)
    json_s = statistics.median(r["audit_json"]["seconds"] for r in rounds)
    tools_s = statistics.median(r["tools_seconds"] for r in rounds)
    floor_s = statistics.median(r["floor"]["seconds"] for r in rounds)
    return {
        "floor_median_s": round(floor_s, 2),
        "audit_over_floor": round(audit_s / floor_s, 2),
        "median_of_run_audit_over_floor": round(
            statistics.median(r["audit"]["seconds"] / r["floor"]["seconds"] for r in rounds), 2
        ),
        "floor_seconds": [round(r["floor"]["seconds"], 2) for r in rounds],
        "audit_cpu_median_s": round(statistics.median(r["audit"]["cpu_s"] for r in rounds), 2),
        "audit_json_cpu_median_s": round(statistics.median(r["audit_json"]["cpu_s"] for r in rounds), 2),
        "floor_cpu_median_s": round(statistics.median(r["floor"]["cpu_s"] for r in rounds), 2),
        "tools_cpu_median_s": round(statistics.median(sum(t["cpu_s"] for t in r["tools"].values()) for r in rounds), 2),
        "floor_peak_rss_mb_max": round(max(r["floor"]["peak_rss_mb"] for r in rounds), 1),
        "runs": len(rounds),
        "audit_median_s": round(audit_s, 2),
        "audit_json_median_s": round(json_s, 2),
        "tools_median_s": round(tools_s, 2),
        "ratio": round(tools_s / audit_s, 2),
        "ratio_json": round(tools_s / json_s, 2),
        "median_of_run_ratios": round(statistics.median(r["tools_seconds"] / r["audit"]["seconds"] for r in rounds), 2),
        "audit_peak_rss_mb_max": round(max(r["audit"]["peak_rss_mb"] for r in rounds), 1),
        "audit_json_peak_rss_mb_max": round(max(r["audit_json"]["peak_rss_mb"] for r in rounds), 1),
        "tools_peak_rss_mb_max": round(max(r["tools_peak_rss_mb"] for r in rounds), 1),
        "audit_seconds": [round(r["audit"]["seconds"], 2) for r in rounds],
        "audit_json_seconds": [round(r["audit_json"]["seconds"], 2) for r in rounds],
        "tools_seconds": [round(r["tools_seconds"], 2) for r in rounds],
    }


def live_bench_start(description: str | None) -> tuple[argparse.Namespace, Cluster]:
    """What the live benches (this one, collect_big.py) share: --runs, --json and --audit-timeout,
    kafka-python's log quiet, the audit's bytecode written, and the ready harness cluster."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--audit-timeout", type=float, help="pass --timeout to the audit (default: its own 30 s)")
    args = parser.parse_args()
    if args.audit_timeout:
        TIMEOUT[:] = ["--timeout", str(args.audit_timeout)]
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    compiled()  # the audit's bytecode, as an installed kafka-audit has it
    cluster = Cluster.load()
    if not cluster.is_ready():
        raise SystemExit("no ready cluster: run scripts/kafka-cluster up (with your KAFKA_AUDIT_PORT_BASE)")
    return args, cluster


def main() -> int:
    args, cluster = live_bench_start(__doc__)
    tools = tool_commands(cluster)
    recorded = Path(tempfile.mkdtemp()) / "requests.pickle"
    # recorded by a child: a live collection in this process would make every process it forks
    # after start with this one's pages in its ru_maxrss (every peak RSS read 84 MB, the bench's own)
    subprocess.run(floor_command(cluster, recorded, "record"), check=True)
    rounds = []
    load_before = os.getloadavg()
    for index in range(args.runs):
        rounds.append(one_round(cluster, tools, recorded))
        last = rounds[-1]
        audit_s, json_s, floor_s = (last[k]["seconds"] for k in ("audit", "audit_json", "floor"))
        print(f"run {index + 1}: audit {audit_s:.2f}s (json {json_s:.2f}s), floor {floor_s:.2f}s, "
              f"tools {last['tools_seconds']:.2f}s", file=sys.stderr)  # fmt: skip
    result = {"summary": summary(rounds), "requests": count_requests(cluster), "rounds": rounds,
              "load_average_before": load_before, "load_average_after": os.getloadavg(),
              "cpus": os.cpu_count()}  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    shown = ("summary", "requests", "load_average_before", "load_average_after", "cpus")
    print(json.dumps({key: result[key] for key in shown}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
