"""Facts of a consumer group: its committed offsets against the log bounds and retention."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

from auditor.facts.base import Fact, Subject, SubjectKind, parse_int
from auditor.findings import Resource
from auditor.model import ClusterSnapshot, ConsumerGroup, Estate, GroupOffset


def group_subjects(estate: Estate) -> Iterator[Subject]:
    cluster = estate.cluster
    if cluster is None:
        return
    retention = {t.name: _retention_ms(t.configs.get("retention.ms")) for t in cluster.topics}
    now_ms = _epoch_ms(cluster.collected_at)
    for group in cluster.groups:
        yield group_subject(group, cluster, retention, now_ms)


def group_subject(
    group: ConsumerGroup, cluster: ClusterSnapshot, retention: Mapping[str, int | None], now_ms: int | None
) -> Subject:
    offsets = [o for o in group.offsets if o.committed is not None]
    behind, lost, behind_text = _behind_log_start(offsets)
    (share, share_max), worst = _retention_share(offsets, retention, now_ms)
    facts = {
        "id": Fact(group.id),
        "state": Fact(group.state),
        "committed_partitions": Fact(len(offsets)),
        "partitions_behind_log_start": Fact(behind),
        "messages_lost": Fact(lost),
        "retention_used_percent": Fact(share),
        "retention_used_percent_max": Fact(share_max),
    }
    return Subject(
        resource=Resource("group", group.id),
        facts=facts,
        context={
            "group": group.id,
            "bootstrap": cluster.bootstrap,
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


def _retention_share(
    offsets: list[GroupOffset], retention: Mapping[str, int | None], now_ms: int | None
) -> tuple[Share, str]:
    """The largest share (percent) of its topic's retention.ms that the group's oldest unread
    message has used up, and on which partition. A partition whose share is unknown makes the
    group's unknown, and its upper bound (when there is one) bounds the group's."""
    value: int | None = 0
    bound: int | None = 0
    worst: tuple[int, str] = (-1, "none")
    for offset in offsets:
        if offset.log_start is not None and offset.committed is not None and offset.committed < offset.log_start:
            continue  # already lost: GRP001's finding, not a warning
        share, most = _partition_share(offset, retention.get(offset.topic), now_ms)
        value = None if share is None or value is None else max(value, share)
        bound = None if most is None or bound is None else max(bound, most)
        worst = max(worst, (most if most is not None else 101, f"{offset.topic}-{offset.partition}"))
    return (value, bound), worst[1]


Share = tuple[int | None, int | None]  # (the share, or None when unknown; an upper bound, or None)


def _partition_share(offset: GroupOffset, retention_ms: int | None, now_ms: int | None) -> Share:
    """(share, upper bound) in percent for one partition.

    Exact from the first unread message's timestamp when the source read it. Otherwise from
    offsets, assuming a steady produce rate: the messages from the retention boundary (the
    offset at now - retention.ms) to the log end span retention.ms, so the unread part of that
    span is the share used. When the whole log is younger than retention.ms (the boundary is the
    log start) that span is shorter, and the same ratio is only an upper bound.
    """
    committed, end, start, boundary = offset.committed, offset.log_end, offset.log_start, offset.retention_boundary
    if end is not None and committed is not None and committed >= end:
        return 0, 0  # nothing unread
    if retention_ms is None or committed is None:
        return None, None
    if retention_ms <= 0:
        return 0, 0  # retention.ms=-1: kept for ever
    if offset.committed_timestamp_ms is not None and now_ms is not None:
        share = max(0, (now_ms - offset.committed_timestamp_ms) * 100 // retention_ms)
        return share, share
    if boundary is None or end is None or start is None:
        return None, None
    if committed < boundary:
        return 100, 100  # the next unread message is already older than retention.ms: at least 100
    estimate = (end - committed) * 100 // max(1, end - boundary)
    return (None, estimate) if boundary <= start else (estimate, estimate)


def _retention_ms(config: object) -> int | None:
    value = getattr(config, "value", None)
    return parse_int(value) if isinstance(value, str) else None


def _epoch_ms(iso: str) -> int | None:
    try:
        return int(datetime.fromisoformat(iso).timestamp() * 1000)
    except ValueError:
        return None


GROUP = SubjectKind(
    name="group",
    facts={
        "id": "group id",
        "state": "group state (Stable, Empty, ...)",
        "committed_partitions": "partitions with a committed offset",
        "partitions_behind_log_start": "partitions whose committed offset is below the log start offset",
        "messages_lost": "messages deleted by retention before the group read them (sum over those partitions)",
        "retention_used_percent": "largest share (%) of its topic's retention.ms that the oldest unread message "
        "has used up (time lag / retention.ms): from its timestamp, else estimated from offsets at a steady "
        "produce rate; unknown when the log is younger than retention.ms",
        "retention_used_percent_max": "an upper bound of retention_used_percent (unknown when there is none)",
    },
    context={
        "group": "group id",
        "bootstrap": "the cluster's bootstrap servers",
        "behind_partitions": "the partitions behind their log start, with offsets",
        "worst_partition": "the partition with the largest retention share",
    },
    build=group_subjects,
)
