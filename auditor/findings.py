"""The output model: what the rules found, in the shape of the JSON report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 ... info 0."""
        return len(SEVERITY_ORDER) - 1 - SEVERITY_ORDER.index(self)

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


SEVERITY_ORDER: tuple[Severity, ...] = tuple(Severity)


class Stage(str, Enum):
    PRODUCE = "produce"
    STORE = "store"
    CONSUME = "consume"
    END_TO_END = "end-to-end"


class Status(str, Enum):
    FAIL = "fail"
    UNKNOWN = "unknown"
    WAIVED = "waived"


@dataclass(frozen=True)
class Resource:
    """What a finding is about, in the operator's terms: topic `orders`, broker `2`."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Location:
    path: str
    line: int | None = None
    profile: str | None = None


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    title: str
    stage: Stage
    severity: Severity
    status: Status
    resource: Resource
    config_key: str | None
    actual: str
    actual_source: str | None
    expected: str
    message: str
    remediation: str
    location: Location | None = None
    waiver_reason: str | None = None
    baselined: bool = False  # accounted for by --baseline: shown, does not gate

    @property
    def fingerprint(self) -> str:
        """Stable across runs: rule id + resource + key, nothing that changes with values."""
        basis = "|".join((self.rule_id, self.resource.kind, self.resource.name, self.config_key or ""))
        return hashlib.sha256(basis.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Pass:
    """A rule evaluated on a resource that produced no finding: what makes report totals mean something."""

    rule_id: str
    resource: Resource
    location: Location | None = None


@dataclass(frozen=True)
class RuleInfo:
    """What reports say about a rule that ran (SARIF rule entries, help text, references)."""

    id: str
    name: str
    title: str
    stage: Stage
    severity: Severity
    rationale: str
    remediation: str
    references: tuple[str, ...] = ()
