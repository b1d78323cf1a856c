"""The library API: run an audit without the CLI (tests, CI jobs and other programs call this)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from auditor import __version__
from auditor.engine import Rule, evaluate, load_rules
from auditor.facts import cluster_subjects
from auditor.findings import Finding, Severity
from auditor.model import ClusterSnapshot
from auditor.policy import exit_code
from auditor.result import AuditResult, Target
from auditor.sources.connection import ConnectionSettings


@dataclass(frozen=True)
class AuditOptions:
    fail_on: Severity | None = Severity.HIGH
    fail_on_gaps: bool = False
    exit_zero: bool = False
    rules_dir: Path | None = None


def audit_cluster(settings: ConnectionSettings, options: AuditOptions) -> AuditResult:
    """Collect from a live cluster, judge, gate. Raises InputError / ClusterUnreachable."""
    from auditor.sources.live import collect

    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    rules = load_rules(options.rules_dir)  # a broken rule file is exit 2 before any request
    snapshot = collect(settings)
    target = Target(kind="cluster", name=snapshot.bootstrap, format="kafka")
    return _result(snapshot, judge_snapshot(snapshot, rules), target, options, started, clock)


def judge_snapshot(snapshot: ClusterSnapshot, rules: list[Rule]) -> list[Finding]:
    return sort_findings(evaluate(rules, cluster_subjects(snapshot)))


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.stage.value, f.rule_id, f.resource.name))


def _result(
    snapshot: ClusterSnapshot,
    findings: list[Finding],
    target: Target,
    options: AuditOptions,
    started: datetime,
    clock: float,
) -> AuditResult:
    code = exit_code(
        findings,
        has_gaps=bool(snapshot.gaps),
        fail_on=options.fail_on,
        fail_on_gaps=options.fail_on_gaps,
        exit_zero=options.exit_zero,
    )
    return AuditResult(
        tool_version=__version__,
        started_at=started.isoformat(timespec="seconds"),
        duration_ms=int((time.monotonic() - clock) * 1000),
        fail_on=options.fail_on.value if options.fail_on else "never",
        exit_code=code,
        targets=(target,),
        findings=tuple(findings),
        gaps=snapshot.gaps,
    )
