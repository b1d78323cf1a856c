"""Fixtures of the consumer-group rules GRP001-GRP002."""

from __future__ import annotations

from auditor.model import ConsumerGroup, Estate
from tests.builders import group, offset, snapshot, topic
from tests.rule_cases import RuleCase, fails, passes, unknown

HOUR_MS = 3_600_000


def groups(*items: ConsumerGroup, retention_ms: str | None = str(10 * HOUR_MS)) -> Estate:
    return Estate(cluster=snapshot(topic("orders", partitions=2, retention_ms=retention_ms), groups=items))


CASES: list[RuleCase] = [
    passes("GRP001", "at-log-start", groups(group("billing", offset(committed=10, log_start=10)))),
    fails(
        "GRP001",
        "behind-log-start",
        groups(group("billing", offset(committed=5, log_start=12), offset(committed=20, log_start=12, index=1))),
        "critical",
        "billing",
    ),
    unknown("GRP001", "log-start-unknown", groups(group("billing", offset(committed=5, log_start=None))), "critical"),
    passes("GRP001", "no-committed-offset", groups(group("billing", offset(committed=None, log_start=12)))),
    passes("GRP002", "young-lag", groups(group("billing", offset(committed=50, age_ms=HOUR_MS)))),
    passes("GRP002", "caught-up", groups(group("billing", offset(committed=100, log_end=100)))),
    fails(
        "GRP002",
        "lag-90-percent",
        groups(group("billing", offset(committed=50, age_ms=9 * HOUR_MS))),
        "high",
        "billing",
    ),
    fails(
        "GRP002",
        "behind-retention-boundary",
        groups(group("billing", offset(committed=50, retention_boundary=60))),
        "high",
    ),
    passes(
        "GRP002",
        "infinite-retention",
        groups(group("billing", offset(committed=50, age_ms=99 * HOUR_MS)), retention_ms="-1"),
    ),
    unknown(
        "GRP002",
        "retention-unknown",
        groups(group("billing", offset(committed=50, age_ms=HOUR_MS)), retention_ms=None),
        "high",
    ),
    unknown("GRP002", "no-timestamp-no-boundary", groups(group("billing", offset(committed=50))), "high"),
    passes(
        "GRP002",
        "estimated-from-offsets-30-percent",
        groups(group("billing", offset(committed=70, log_start=0, retention_boundary=1, log_end=101))),
    ),
    fails(
        "GRP002",
        "estimated-from-offsets-90-percent",
        groups(group("billing", offset(committed=11, log_start=0, retention_boundary=1, log_end=101))),
        "high",
    ),
    passes(
        "GRP002",
        "young-log-bound-below-threshold",
        groups(group("billing", offset(committed=50, log_start=0, retention_boundary=0, log_end=100))),
    ),
    unknown(
        "GRP002",
        "young-log-bound-above-threshold",
        groups(group("billing", offset(committed=5, log_start=0, retention_boundary=0, log_end=100))),
        "high",
    ),
]
