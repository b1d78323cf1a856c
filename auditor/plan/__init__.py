"""kafka-audit plan: the ordered, what-if-checked changes that clear the store findings.

kafka-audit stays read-only towards the cluster: the plan is files for a person or a pipeline to
review and apply (reassignment.json, election.json, rollback.json, apply.sh, plan.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.engine import load_rules
from auditor.errors import InputError
from auditor.facts import subjects
from auditor.findings import Finding, Status
from auditor.model import ClusterSnapshot, Estate, Kind
from auditor.plan.placement import Move, Refusal
from auditor.plan.render import PlanContext, apply_script, election_json, plan_markdown, reassignment_json
from auditor.plan.steps import ConfigChange, Plan, Selection, build_plan
from auditor.policyfile import Policy

if TYPE_CHECKING:
    from auditor.audit import AuditOptions, Sources
    from auditor.result import AuditResult
    from auditor.sources.live import Progress

__all__ = [
    "ConfigChange",
    "Move",
    "Plan",
    "PlanContext",
    "PlanRequest",
    "Refusal",
    "Selection",
    "build_plan",
    "make_plan",
]

PLAN_FILES = ("reassignment.json", "rollback.json", "election.json", "apply.sh", "plan.md")


@dataclass(frozen=True)
class PlanRequest:
    """What `kafka-audit plan` was asked: the audit's sources and options (a live cluster or a
    snapshot, files, services, policy, waivers, --assume-down ...), and where to write."""

    output_dir: Path
    sources: Sources
    options: AuditOptions
    report: Path | None = None  # a saved JSON report of the same cluster: act only on what it failed on
    command_config: Path | None = None
    throttle_bytes_per_s: int = 50_000_000


def make_plan(request: PlanRequest, progress: Progress | None = None) -> tuple[Plan, PlanContext, AuditResult]:
    """Audit as `audit` would under the same flags (the live cluster's replica sizes read in the
    same session), then plan the changes that clear the store findings that audit failed on."""
    from auditor.audit import audit_with_estate

    sources = replace(request.sources, log_dirs=request.sources.cluster is not None)
    if sources.cluster is None and sources.snapshot is None:
        raise InputError("plan needs a cluster: a live connection or a snapshot file")
    reported = _reported(request.report) if request.report is not None else None
    result, estate = audit_with_estate(sources, request.options, progress)
    assert estate.cluster is not None
    cluster = estate.cluster
    policy = request.options.policy or Policy()
    rules = list(request.options.rules or load_rules())
    scoped = policy.scope(subjects(Estate(cluster=cluster)))
    failed = _failed(result.findings)
    selection = Selection(
        topics=frozenset(str(s.scope.topic) for s in scoped.get(Kind.TOPIC, [])),
        waivers=policy.waivers,
        today=request.options.today,
        reported=failed if reported is None else failed & reported,
    )
    plan = build_plan(cluster, policy.tune(rules), rules, selection)
    context = PlanContext(
        bootstrap=cluster.bootstrap,
        command_config=str(request.command_config) if request.command_config else None,
        throttle_bytes_per_s=request.throttle_bytes_per_s,
        sizes=cluster.replica_sizes,
        sizes_gap=_sizes_gap(request, cluster),
        gaps=result.gaps,
        elsewhere=tuple(f for f in result.findings if f.status is Status.FAIL and _in_a_file(f)),
    )
    return plan, context, result


def write_plan(plan: Plan, context: PlanContext, output_dir: Path) -> list[Path]:
    """Write the plan's files; apply.sh is made executable. Returns the paths written."""
    output_dir.mkdir(parents=True, exist_ok=True)
    contents = {
        "reassignment.json": reassignment_json(plan.moves),
        "rollback.json": reassignment_json(plan.moves, rollback=True),
        "election.json": election_json(plan.moves),
        "apply.sh": apply_script(plan, context),
        "plan.md": plan_markdown(plan, context),
    }
    written = []
    for name in PLAN_FILES:
        path = output_dir / name
        try:
            path.write_text(contents[name], encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        written.append(path)
    (output_dir / "apply.sh").chmod(0o755)
    return written


def _reported(path: Path) -> frozenset[tuple[str, str, str]]:
    """The failing, unwaived, unbaselined findings of a saved JSON report (exit 2 if it is not one)."""
    from auditor.reports.load import load_report

    return _failed(load_report(path).findings)


def _failed(findings: Iterable[Finding]) -> frozenset[tuple[str, str, str]]:
    return frozenset(
        (f.rule_id, str(f.resource.kind), f.resource.name)
        for f in findings
        if f.status is Status.FAIL and not f.baselined
    )


def _in_a_file(finding: Finding) -> bool:
    return finding.location is not None


def _sizes_gap(request: PlanRequest, cluster: ClusterSnapshot) -> str | None:
    if cluster.replica_sizes is not None:
        return None
    if request.sources.cluster is None:
        return "a snapshot holds no log directory sizes: plan against the live cluster to know them"
    from auditor.sources.live import LOG_DIRS

    reasons = [g.reason for g in cluster.gaps if g.resource == LOG_DIRS]
    return reasons[0] if reasons else "log directory sizes not read"
