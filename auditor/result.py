"""The result of one audit run: what reports render and the gate judges."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from auditor.findings import (
    SEVERITY_ORDER,
    Finding,
    Location,
    NotRun,
    Pass,
    RuleInfo,
    Severity,
    Stage,
    Status,
    WaiverUse,
)
from auditor.model import ClusterGroup, CoverageGap, Target, TargetKind

if TYPE_CHECKING:
    from auditor.checklist import Checklist


@dataclass(frozen=True)
class AuditResult:
    """One run. `passes` are the (rule, resource) pairs judged fine; `rules` describe the rules that ran.

    `min_severity` is set when the result was narrowed for display (`--min-severity`); the
    exit code is always the one of the whole run.
    """

    tool_version: str
    started_at: str
    duration_ms: int
    fail_on: Severity | None  # None: never (`--fail-on never`)
    exit_code: int
    targets: tuple[Target, ...]
    findings: tuple[Finding, ...]
    gaps: tuple[CoverageGap, ...]
    passes: tuple[Pass, ...] = ()
    # (rule, resource) pairs that did not run: what the rule judges cannot exist there (a KRaft
    # quorum on a ZooKeeper cluster), unlike an unknown (not read); reports say why
    not_run: tuple[NotRun, ...] = ()
    rules: tuple[RuleInfo, ...] = ()
    min_severity: str | None = None
    waivers: tuple[WaiverUse, ...] = ()  # every waiver's fate: applied, expired, unused
    policy: str | None = None  # the policy file (or built-in profile) that tuned the run
    samples: int = 1  # reads of partition state (--samples)
    checklist: Checklist | None = None  # per declared service: the checklist's items (auditor.checklist)
    hidden_findings: int = 0  # findings below min_severity, left out of this view (still gated)
    # Client libraries judged on assumed defaults: no build file or --client told their version
    # ('Java kafka-clients >=3.2,<4.0'); every report's summary says so.
    assumed_clients: tuple[str, ...] = ()
    clusters: tuple[ClusterGroup, ...] = ()  # the clusters formed from declared brokers (files)

    @property
    def fail_on_label(self) -> str:
        """The gate's threshold as the `--fail-on` flag spells it."""
        return self.fail_on.value if self.fail_on is not None else "never"

    @property
    def complete(self) -> bool:
        return not self.gaps

    def by_severity(self) -> dict[str, int]:
        counts = Counter(f.severity.value for f in self.findings)
        return {s.value: counts[s.value] for s in SEVERITY_ORDER if counts[s.value]}

    def by_stage(self) -> dict[str, int]:
        counts = Counter(f.stage.value for f in self.findings)
        return {s.value: counts[s.value] for s in Stage if counts[s.value]}

    def by_status(self) -> dict[str, int]:
        counts = Counter(f.status.value for f in self.findings)
        return {s.value: counts[s.value] for s in Status if counts[s.value]}

    def rule(self, rule_id: str) -> RuleInfo | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def shown(self, min_severity: Severity | None) -> AuditResult:
        """The result narrowed to findings (and passes of rules) at or above `min_severity`."""
        if min_severity is None:
            return self
        kept_rules = {r.id for r in self.rules if r.severity.at_least(min_severity)}
        return replace(
            self,
            findings=tuple(f for f in self.findings if f.severity.at_least(min_severity)),
            passes=tuple(p for p in self.passes if p.rule_id in kept_rules),
            not_run=tuple(n for n in self.not_run if n.rule_id in kept_rules),
            min_severity=min_severity.value,
            hidden_findings=sum(1 for f in self.findings if not f.severity.at_least(min_severity)),
        )

    def target_of(self, location: Location | None, cluster: str | None = None) -> Target:
        """The target a finding or pass belongs to: its file, else its cluster (named in a fleet),
        else the cluster (or snapshot)."""
        if cluster is not None:
            for target in self.targets:
                if target.kind == "cluster" and target.name == cluster:
                    return target
        if location is not None:
            for target in self.targets:
                if target.kind.is_file and target.name == location.path:
                    return target
            return Target(TargetKind.FILE, location.path, "unknown")
        for target in self.targets:
            if not target.kind.is_file:
                return target
        return Target(TargetKind.CLUSTER, "unknown", "kafka")
