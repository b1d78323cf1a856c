"""kafka-audit plan: the ordered, what-if-checked changes that clear the store findings.

kafka-audit stays read-only towards the cluster: the plan is files for a person or a pipeline to
review and apply (reassignment.json, election.json, rollback.json, apply.sh, plan.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.engine import Rule
from auditor.errors import InputError
from auditor.facts import subjects
from auditor.model import ClusterSnapshot, Estate, Kind
from auditor.plan.placement import Move, Refusal
from auditor.plan.render import PlanContext, apply_script, election_json, plan_markdown, reassignment_json
from auditor.plan.steps import ConfigChange, Plan, Selection, build_plan
from auditor.policyfile import Policy

if TYPE_CHECKING:
    from auditor.sources.connection import ConnectionSettings
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
    """What `kafka-audit plan` was asked: a live cluster or a snapshot, a policy, where to write."""

    output_dir: Path
    cluster: ConnectionSettings | None = None
    snapshot: Path | None = None
    report: Path | None = None  # a saved JSON report of the same cluster: act only on what it failed on
    command_config: Path | None = None
    throttle_bytes_per_s: int = 50_000_000


def make_plan(
    request: PlanRequest, rules: Sequence[Rule], policy: Policy, progress: Progress | None = None
) -> tuple[Plan, PlanContext]:
    """Read the cluster (or snapshot), plan, and measure how much data the plan moves."""
    reported = _reported(request.report) if request.report is not None else None
    cluster = _read(request, progress)
    scoped = policy.scope(subjects(Estate(cluster=cluster)))
    selection = Selection(
        topics=frozenset(str(s.scope.topic) for s in scoped.get(Kind.TOPIC, [])),
        waivers=policy.waivers,
        reported=reported,
    )
    plan = build_plan(cluster, policy.tune(rules), rules, selection)
    sizes, gap = _sizes(request, cluster) if plan.moves else ({}, None)
    context = PlanContext(
        bootstrap=cluster.bootstrap,
        command_config=str(request.command_config) if request.command_config else None,
        throttle_bytes_per_s=request.throttle_bytes_per_s,
        sizes=sizes,
        sizes_gap=gap,
    )
    return plan, context


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
    from auditor.findings import Status
    from auditor.reports.load import load_report

    result = load_report(path)
    return frozenset(
        (f.rule_id, str(f.resource.kind), f.resource.name)
        for f in result.findings
        if f.status is Status.FAIL and not f.baselined
    )


def _read(request: PlanRequest, progress: Progress | None) -> ClusterSnapshot:
    if request.snapshot is not None:
        from auditor.sources.snapshot import read_snapshot

        return read_snapshot(request.snapshot)
    if request.cluster is None:
        raise InputError("plan needs a cluster: a live connection or a snapshot file")
    from auditor.sources.live import collect

    return collect(request.cluster, progress)


def _sizes(request: PlanRequest, cluster: ClusterSnapshot) -> tuple[dict[tuple[str, int], int] | None, str | None]:
    if request.cluster is None:
        return None, "a snapshot holds no log directory sizes: plan against the live cluster to know them"
    from auditor.sources.live import read_partition_sizes

    return read_partition_sizes(request.cluster, [b.id for b in cluster.brokers if not b.fenced])
