"""The output model: what the rules found, in the shape of the JSON report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import msgspec

from auditor.enums import StrEnum
from auditor.userregex import user_regex


class Severity(StrEnum):
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


class Stage(StrEnum):
    PRODUCE = "produce"
    STORE = "store"
    CONSUME = "consume"
    END_TO_END = "end-to-end"


class ChecklistItem(StrEnum):
    """The no-loss checklist's items; a rule says in its YAML (`checklist:`) which one it judges."""

    PRODUCER_ACKS = "producer acks and retries"
    IDEMPOTENCE = "idempotence"
    OUTBOX = "outbox"
    REPLICATION_FACTOR = "replication factor"
    MIN_ISR = "min ISR"
    UNCLEAN_ELECTION = "unclean election"
    MANUAL_COMMIT = "manual commit"
    IDEMPOTENT_CONSUMER = "idempotent consumer"


class Status(StrEnum):
    FAIL = "fail"
    UNKNOWN = "unknown"
    WAIVED = "waived"


@dataclass(frozen=True, slots=True)
class Resource:
    """What a finding is about, in the operator's terms: topic `orders`, broker `2`; in a fleet,
    the cluster it is in (`--cluster NAME=...`): topic `orders` in cluster `prod-eu`."""

    kind: str
    name: str
    cluster: str | None = None

    def __str__(self) -> str:
        return f"{self.kind} {self.name}" + (f" (cluster {self.cluster})" if self.cluster else "")


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int | None = None
    profile: str | None = None
    snippet: str | None = None  # the source line of a client built in code


@dataclass(frozen=True, slots=True)
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
        """Stable across runs: rule id + resource (+ its cluster in a fleet) + key, nothing that changes with values."""
        parts = (self.rule_id, self.resource.kind, self.resource.name, self.config_key or "")
        basis = "|".join(parts if self.resource.cluster is None else (*parts, self.resource.cluster))
        return hashlib.sha256(basis.encode()).hexdigest()[:16]


class Pass(msgspec.Struct, frozen=True, gc=False):
    """A rule evaluated on a resource that produced no finding: what makes report totals mean something.

    A msgspec Struct, not a dataclass: a 300,000-partition cluster has 2.5 million passes, and a
    frozen dataclass took 25x as long to make (its __init__ sets each field through
    object.__setattr__) and 16 more bytes each. Immutable and hashable alike; it refers only to a
    string and immutable Resource and Location values, so it can be part of no reference cycle and
    the garbage collector need not track it (gc=False).
    """

    rule_id: str
    resource: Resource
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class NotRun:
    """A rule that did not run on a resource because what it judges cannot exist there (a KRaft
    quorum on a ZooKeeper cluster): neither a pass nor unknown, and the report says why.
    `by_policy`: it did not run because it judges only what the policy declares, and the policy
    declares nothing for it (STO022 without broker_defaults); kept as data in the JSON report, said
    by the terminal report only with --verbose."""

    rule_id: str
    resource: Resource
    reason: str
    by_policy: bool = False


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


@dataclass(frozen=True)
class Waiver:
    rule_id: str
    reason: str
    owner: str
    expires: str  # as written: a malformed date counts as expired
    source: str  # file:line
    resource: str | None = None
    resource_regex: str | None = None
    kind: str | None = None
    inline: bool = False  # a `kafka-audit: ignore[...]` comment in the file: no owner, no expiry

    @property
    def resource_text(self) -> str:
        name = self.resource if self.resource is not None else f"/{self.resource_regex}/"
        return f"{self.kind} {name}" if self.kind else name

    def expiry(self) -> date | None:
        try:
            return date.fromisoformat(self.expires.strip())
        except ValueError:
            return None

    def expired(self, today: date) -> bool:
        """Valid through its `expires` date; a date that cannot be read is expired. An inline
        suppression lives as long as the comment does."""
        if self.inline:
            return False
        expiry = self.expiry()
        return expiry is None or today > expiry

    def matches(self, finding: Finding) -> bool:
        if finding.rule_id != self.rule_id or (self.kind is not None and finding.resource.kind != self.kind):
            return False
        if self.resource is not None:
            return finding.resource.name == self.resource
        return self.resource_regex is not None and user_regex(self.resource_regex).fullmatch(finding.resource.name)


@dataclass(frozen=True)
class WaiverUse:
    """How a waiver fared in a run: applied, expired or unused, and how many findings it matched."""

    waiver: Waiver
    status: str
    matched: int
