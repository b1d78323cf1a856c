"""Where an audit's CPU time goes, phase by phase (in process, median of several runs).

    python bench/profile_audit.py --snapshot FILE [--runs 3]
    python bench/profile_audit.py --bootstrap-server HOST:PORT [--runs 3]

Phases: imports (a fresh interpreter importing what the audit imports: the CLI, the audit, the
snapshot reader, and kafka-python for a live audit, minus a bare interpreter), loading the rules,
reading (the live collection or the snapshot), facts (auditor.facts.subjects), judging
(auditor.engine.evaluate_all), the rest of audit_estate (scope, waivers, baseline, gate,
checklist) and rendering the table and the JSON report (written as the CLI writes it, in pieces
to a file); measured with the collector settings
the CLI uses (auditor.cli.tune_gc). Then the whole thing as a user runs it: the CPU time of a
fresh `kafka-audit audit ... --format table` process (its command-line parsing included), and
that time less the read: the audit's own overhead. Then the peak resident memory after the
first run's reading, facts and judging, table and JSON report.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.cli import tune_gc  # noqa: E402  (after the checkout is on the path)


def seconds(work: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of this process (all its threads) spent in `work`: on a shared machine the
    wall time also counts the wait for a core."""
    started = time.process_time()
    value = work()
    return time.process_time() - started, value


def child_seconds(command: list[str]) -> float:
    """CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def import_seconds(live: bool) -> float:
    """CPU seconds a fresh interpreter spends importing what the audit imports, beyond starting."""
    modules = "auditor.cli, auditor.audit, auditor.sources.snapshot" + (", kafka.admin" if live else "")
    return child_seconds([sys.executable, "-c", f"import {modules}"]) - child_seconds([sys.executable, "-c", "pass"])


def peak_rss_mb() -> int:
    """The peak resident memory of this process so far (ru_maxrss, KiB on Linux), in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def facts_and_judging(rules: Any, estate: Any) -> tuple[float, float]:
    """CPU seconds of the facts and of judging them; both dropped on return (audit_estate makes its
    own: holding these as well would inflate the peak)."""
    from auditor.engine import evaluate_all
    from auditor.facts import subjects

    facts, judged = seconds(lambda: subjects(estate))
    return facts, seconds(lambda: evaluate_all(rules, judged))[0]


def one_run(read: Callable[[], Any], live: bool, peaks: dict[str, int]) -> dict[str, float]:
    """CPU seconds per phase; `peaks` gets the peak RSS so far after each phase (the first run's
    are the audit's: later runs start from the memory the first one reached)."""
    from auditor.audit import AuditOptions, audit_estate
    from auditor.engine import load_rules
    from auditor.engine import rules as rules_module
    from auditor.model import Estate, Target, TargetKind
    from auditor.reports import OutputFormat, RenderOptions, render
    from auditor.reports.json_report import write_json

    phases: dict[str, float] = {"imports": import_seconds(live)}
    rules_module._builtin_rules.cache_clear()  # each run loads them cold, as a fresh process does
    phases["rules"], rules = seconds(load_rules)
    phases["read"], cluster = seconds(read)
    peaks.setdefault("read", peak_rss_mb())
    estate = Estate(cluster=cluster)
    phases["facts"], phases["judging"] = facts_and_judging(rules, estate)
    target = (Target(TargetKind.CLUSTER, cluster.bootstrap, "kafka"),)
    whole, result = seconds(lambda: audit_estate(estate, target, rules, AuditOptions(fail_on=None)))
    peaks.setdefault("facts and judging", peak_rss_mb())
    phases["gate, waivers, checklist"] = max(0.0, whole - phases["facts"] - phases["judging"])
    phases["table report"] = seconds(lambda: render(result, OutputFormat.TABLE))[0]
    peaks.setdefault("table report", peak_rss_mb())
    with open(os.devnull, "wb") as sink:  # as the CLI writes it: in pieces, to a file
        phases["json report"] = seconds(lambda: write_json(result, RenderOptions(), sink.write))[0]
    peaks.setdefault("json report", peak_rss_mb())
    return phases


def compiled() -> None:
    """The package's bytecode written, as pip writes it when it installs the wheel: a checkout run
    with PYTHONDONTWRITEBYTECODE (this machine's sessions set it) would otherwise compile every
    module from source on every start, 0.2 s CPU that no installed kafka-audit spends."""
    compileall.compile_dir(str(ROOT / "auditor"), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--bootstrap-server")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compiled()
    tune_gc()
    if args.snapshot:
        from auditor.sources.snapshot import read_snapshot

        def read() -> Any:
            return read_snapshot(args.snapshot)
    else:
        from auditor.sources.connection import ConnectionSettings, parse_bootstrap
        from auditor.sources.live import collect

        def read() -> Any:
            return collect(ConnectionSettings(parse_bootstrap(args.bootstrap_server), timeout_s=120))

    source = ["--snapshot", str(args.snapshot)] if args.snapshot else ["--bootstrap-server", args.bootstrap_server]
    cli = [sys.executable, "-m", "auditor", "audit", *source, "--format", "table", "--output", os.devnull]
    runs = []
    peaks: dict[str, int] = {}
    for _ in range(args.runs):
        phases = one_run(read, not args.snapshot, peaks)
        phases["whole CLI process"] = child_seconds(cli)
        phases["whole less read"] = phases["whole CLI process"] - phases["read"]
        runs.append(phases)
    medians = {phase: round(statistics.median(r[phase] for r in runs), 3) for phase in runs[0]}
    print(json.dumps(medians, indent=1))
    print(json.dumps({"peak_rss_mb_after": peaks}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
