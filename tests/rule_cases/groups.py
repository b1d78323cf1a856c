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
    unknown("GRP002", "no-timestamp-no-probe", groups(group("billing", offset(committed=50))), "high"),
    # Probes: the offset at collection time - p% of retention.ms (None: every message is older).
    fails(
        "GRP002",
        "probe-80-above-committed",
        groups(group("billing", offset(committed=50, retention_boundary=10, lag_probes=((80, 60),)))),
        "high",
        "billing",
    ),
    fails(
        "GRP002",
        "probe-80-every-message-older-some-unread",
        groups(group("billing", offset(committed=50, log_end=100, lag_probes=((80, None),)))),
        "high",
    ),
    passes(
        "GRP002",
        "probe-80-every-message-older-none-unread",
        groups(group("billing", offset(committed=100, log_end=100, lag_probes=((80, None),)))),
    ),
    passes(
        "GRP002",
        "young-log-probe-80-at-log-start",
        groups(group("billing", offset(committed=5, log_start=0, retention_boundary=0, lag_probes=((80, 0),)))),
    ),
    passes(
        "GRP002",
        "probe-80-at-committed",
        groups(group("billing", offset(committed=50, retention_boundary=0, lag_probes=((80, 50),)))),
    ),
    passes(
        "GRP002",
        "lower-probe-reached",
        groups(group("billing", offset(committed=50, lag_probes=((40, 45), (80, 20))))),
    ),
    unknown(
        "GRP002",
        "only-a-higher-share-probed",
        groups(group("billing", offset(committed=50, retention_boundary=0, lag_probes=((90, 45),)))),
        "high",
    ),
    fails(
        "GRP002",
        "one-partition-past-the-probe",
        groups(
            group(
                "billing",
                offset(committed=50, lag_probes=((80, 20),)),
                offset(committed=30, index=1, lag_probes=((80, 31),)),
            )
        ),
        "high",
        "billing",
    ),
    unknown(
        "GRP002",
        "probe-missing-on-one-partition",
        groups(group("billing", offset(committed=50, lag_probes=((80, 20),)), offset(committed=30, index=1))),
        "high",
    ),
    # A snapshot from before the probes: only the retention boundary (the share 100) bounds the lag.
    unknown(
        "GRP002",
        "unprobed-young-log",
        groups(group("billing", offset(committed=50, log_start=0, retention_boundary=0, log_end=100))),
        "high",
    ),
]
