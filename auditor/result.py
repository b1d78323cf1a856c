"""The result of one audit run: what reports render and the gate judges."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from auditor.findings import SEVERITY_ORDER, Finding, Stage, Status
from auditor.model import CoverageGap


@dataclass(frozen=True)
class Target:
    """What was audited: a cluster, a snapshot, a file, a database."""

    kind: str
    name: str
    format: str


@dataclass(frozen=True)
class AuditResult:
    tool_version: str
    started_at: str
    duration_ms: int
    fail_on: str
    exit_code: int
    targets: tuple[Target, ...]
    findings: tuple[Finding, ...]
    gaps: tuple[CoverageGap, ...]

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
