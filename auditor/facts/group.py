"""Facts of a consumer group: its committed offsets against the log bounds and retention."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from auditor.facts.base import (
    CLUSTER_ACCESS,
    Fact,
    FactSpec,
    FactTable,
    Scope,
    Subject,
    SubjectKind,
    cluster_access,
    parse_int,
)
from auditor.findings import Resource
from auditor.model import ClusterSnapshot, ConsumerGroup, Estate, GroupOffset, Kind


def group_subjects(estate: Estate) -> Iterator[Subject]:
    cluster = estate.cluster
    if cluster is None:
        return
    retention = {t.name: _retention_ms(t.configs.get("retention.ms")) for t in cluster.topics}
    now_ms = _epoch_ms(cluster.collected_at)
    for group in cluster.groups:
        yield group_subject(group, cluster, retention, now_ms)


@dataclass(frozen=True)
class GroupSeen:
    """What a group's facts are derived from: its committed offsets, behind the log start and
    against retention, each computed once. `partly`: not all its committed offsets were read, so
    what was read can prove a problem (a partition behind the log start, a lower bound of its
    lag), never its absence: every value that would let a rule pass is unknown."""

    group: ConsumerGroup
    behind: int | None
    lost: int | None
    least: float
    most: float | None

    @property
    def partly(self) -> bool:
        return self.group.offsets_unread is not None

    def committed_partitions(self) -> Fact:
        return Fact(None if self.partly else sum(o.committed is not None for o in self.group.offsets))

    def behind_log_start(self) -> Fact:
        return Fact((self.behind or None) if self.partly else self.behind)

    def messages_lost(self) -> Fact:
        return Fact(self.lost if not self.partly or self.behind else None)

    def retention_used(self) -> Fact:
        return Fact(self.least if self.least == self.most and not self.partly else None)

    def retention_used_min(self) -> Fact:
        return Fact((self.least or None) if self.partly else self.least)

    def retention_used_max(self) -> Fact:
        return Fact(None if self.partly else self.most)


def group_subject(
    group: ConsumerGroup, cluster: ClusterSnapshot, retention: Mapping[str, int | None], now_ms: int | None
) -> Subject:
    offsets = [o for o in group.offsets if o.committed is not None]
    behind, lost, behind_text = _behind_log_start(offsets)
    (least, most), worst = _retention_share(offsets, retention, now_ms)
    if group.offsets_unread is not None:
        behind_text = f"{behind_text}; {group.offsets_unread}"
    return Subject(
        resource=Resource(Kind.GROUP, group.id),
        scope=Scope(group=group.id),
        facts=GROUP_FACTS.derive(GroupSeen(group, behind, lost, least, most)),
        context={
            "group": group.id,
            **cluster_access(cluster),
            "behind_partitions": behind_text,
            "worst_partition": worst,
        },
    )


def _behind_log_start(offsets: list[GroupOffset]) -> tuple[int | None, int | None, str]:
    """(partitions whose committed offset is below the log start, messages skipped, which)."""
    behind = [o for o in offsets if o.log_start is not None and o.committed is not None and o.committed < o.log_start]
    text = ", ".join(f"{o.topic}-{o.partition} (committed {o.committed}, log start {o.log_start})" for o in behind)
    if not behind and any(o.log_start is None for o in offsets):
        return None, None, "unknown"
    lost = sum((o.log_start or 0) - (o.committed or 0) for o in behind)
    return len(behind), lost, text or "none"


Share = tuple[float, float | None]  # (a lower bound, an upper bound or None) in percent of retention.ms


def _retention_share(
    offsets: list[GroupOffset], retention: Mapping[str, int | None], now_ms: int | None
) -> tuple[Share, str]:
    """Bounds of the largest share (percent) of its topic's retention.ms that the group's oldest
    unread message has used up, and on which partition (the one with the largest lower bound).
    A partition without an upper bound leaves the group without one."""
    least: float = 0
    most: float | None = 0
    worst: tuple[float, float, str] = (-1, -1, "none")
    for offset in offsets:
        if offset.log_start is not None and offset.committed is not None and offset.committed < offset.log_start:
            continue  # already lost: GRP001's finding, not a warning
        low, high = _partition_share(offset, retention.get(offset.topic), now_ms)
        least = max(least, low)
        most = None if high is None or most is None else max(most, high)
        worst = max(worst, (low, float("inf") if high is None else high, f"{offset.topic}-{offset.partition}"))
    return (least, most), worst[2]


def _partition_share(offset: GroupOffset, retention_ms: int | None, now_ms: int | None) -> Share:
    """(lower, upper) bound in percent for one partition: the time lag / retention.ms.

    Exact (both bounds equal, rounded down) from the first unread message's timestamp when the
    source read it. Otherwise from the probes, the offset at now - p% of retention.ms: the first
    unread message is older than that instant, so the lag exceeds p%, exactly when the committed
    offset is below it (no offset there: every message is older). The retention boundary is the
    probe at 100%. Between the probes the share is unknown.
    """
    committed, end = offset.committed, offset.log_end
    if committed is None or (end is not None and committed >= end):
        return 0, 0  # nothing unread
    if retention_ms is None:
        return 0, None
    if retention_ms <= 0:
        return 0, 0  # retention.ms=-1: kept for ever
    if offset.committed_timestamp_ms is not None and now_ms is not None:
        share = max(0, (now_ms - offset.committed_timestamp_ms) * 100 // retention_ms)
        return share, share
    probes = [*offset.lag_probes]
    if offset.retention_boundary is not None:
        probes.append((100, offset.retention_boundary))
    least: float = 0
    most: float | None = None
    for percent, at in probes:
        if at is None and end is None:
            continue  # every message is older, but whether any is unread is unknown
        if at is None or committed < at:
            least = max(least, percent)
        else:
            most = percent if most is None else min(most, percent)
    return least, most


def _retention_ms(config: object) -> int | None:
    value = getattr(config, "value", None)
    return parse_int(value) if isinstance(value, str) else None


def _epoch_ms(iso: str) -> int | None:
    try:
        return int(datetime.fromisoformat(iso).timestamp() * 1000)
    except ValueError:
        return None


Spec = FactSpec[GroupSeen, Fact]
GROUP_FACTS = FactTable(
    Spec("id", "group id", lambda g: Fact(g.group.id)),
    Spec("state", "group state (Stable, Empty, ...)", lambda g: Fact(g.group.state)),
    Spec("committed_partitions", "partitions with a committed offset", GroupSeen.committed_partitions),
    Spec(
        "partitions_behind_log_start",
        "partitions whose committed offset is below the log start offset",
        GroupSeen.behind_log_start,
    ),
    Spec(
        "messages_lost",
        "messages deleted by retention before the group read them (sum over those partitions)",
        GroupSeen.messages_lost,
    ),
    Spec(
        "retention_used_percent",
        "largest share (%) of its topic's retention.ms that the oldest unread message has used up "
        "(time lag / retention.ms), rounded down; unknown unless its bounds meet (the first unread "
        "message's timestamp was read, or nothing is unread)",
        GroupSeen.retention_used,
    ),
    Spec(
        "retention_used_percent_min",
        "a lower bound of retention_used_percent: exact from the first unread message's timestamp, "
        "else the largest probed share p whose offset (at collection time - p% of retention.ms) is "
        "above the committed one (the lag is more than p%); 0 when no probe says more",
        GroupSeen.retention_used_min,
    ),
    Spec(
        "retention_used_percent_max",
        "an upper bound of retention_used_percent: exact from the timestamp, else the smallest probed"
        " share p (100: the retention boundary) whose offset the committed one reached; 0 when "
        "nothing is unread; unknown when there is none",
        GroupSeen.retention_used_max,
    ),
)

GROUP = SubjectKind(
    name=Kind.GROUP,
    facts=GROUP_FACTS,
    context={
        "group": "group id",
        **CLUSTER_ACCESS,
        "behind_partitions": "the partitions behind their log start, with offsets",
        "worst_partition": "the partition with the largest lower bound of its retention share",
    },
    build=group_subjects,
)

# The facts a rule compares with a share of retention.ms: its thresholds are the shares a live
# collection probes (auditor.engine.probes).
SHARE_FACTS = frozenset({"retention_used_percent", "retention_used_percent_min", "retention_used_percent_max"})
