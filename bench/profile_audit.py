"""Where an audit's CPU time goes, phase by phase (in process, median of several runs).

    python bench/profile_audit.py --snapshot FILE [--runs 3]
    python bench/profile_audit.py --bootstrap-server HOST:PORT [--runs 3]

Phases: imports (a fresh interpreter importing kafka-audit's CLI and kafka-python, minus a bare
interpreter), loading the rules, reading (the live collection or the snapshot), facts
(auditor.facts.subjects), judging (auditor.engine.evaluate_all), the rest of audit_estate
(scope, waivers, baseline, gate, checklist) and rendering the table and the JSON report.
"""

from __future__ import annotations

import argparse
import json
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


def seconds(work: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of this process (all its threads) spent in `work`: on a shared machine the
    wall time also counts the wait for a core."""
    started = time.process_time()
    value = work()
    return time.process_time() - started, value


def import_seconds() -> float:
    """CPU seconds a fresh interpreter spends importing the CLI and kafka-python, beyond starting."""

    def run(code: str) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", code], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

    return run("import auditor.cli, kafka.admin") - run("pass")


def one_run(read: Callable[[], Any]) -> dict[str, float]:
    from auditor.audit import AuditOptions, audit_estate
    from auditor.engine import evaluate_all, load_rules
    from auditor.facts import subjects
    from auditor.model import Estate, Target, TargetKind
    from auditor.reports import OutputFormat, render

    phases: dict[str, float] = {"imports": import_seconds()}
    phases["rules"], rules = seconds(load_rules)
    phases["read"], cluster = seconds(read)
    estate = Estate(cluster=cluster)
    phases["facts"], judged = seconds(lambda: subjects(estate))
    phases["judging"], _ = seconds(lambda: evaluate_all(rules, judged))
    target = (Target(TargetKind.CLUSTER, cluster.bootstrap, "kafka"),)
    whole, result = seconds(lambda: audit_estate(estate, target, rules, AuditOptions(fail_on=None)))
    phases["gate, waivers, checklist"] = max(0.0, whole - phases["facts"] - phases["judging"])
    phases["table report"], _ = seconds(lambda: render(result, OutputFormat.TABLE))
    phases["json report"], _ = seconds(lambda: render(result, OutputFormat.JSON))
    return phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--bootstrap-server")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.snapshot:
        from auditor.sources.snapshot import read_snapshot

        def read() -> Any:
            return read_snapshot(args.snapshot)
    else:
        from auditor.sources.connection import ConnectionSettings, parse_bootstrap
        from auditor.sources.live import collect

        def read() -> Any:
            return collect(ConnectionSettings(parse_bootstrap(args.bootstrap_server), timeout_s=120))

    import gc

    from auditor.cli import COLLECTOR_THRESHOLDS

    gc.set_threshold(*COLLECTOR_THRESHOLDS)  # as the kafka-audit command runs
    runs = [one_run(read) for _ in range(args.runs)]
    medians = {phase: round(statistics.median(r[phase] for r in runs), 3) for phase in runs[0]}
    print(json.dumps(medians, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
