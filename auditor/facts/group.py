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
    share, worst = _retention_share(offsets, retention, now_ms)
    facts = {
        "id": Fact(group.id),
        "state": Fact(group.state),
        "committed_partitions": Fact(len(offsets)),
        "partitions_behind_log_start": Fact(behind),
        "messages_lost": Fact(lost),
        "retention_used_percent": Fact(share),
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
) -> tuple[int | None, str]:
    """The largest share (percent) of its topic's retention.ms that the group's oldest unread
    message has used up, and on which partition. Unknown when any partition's share is."""
    worst: tuple[int, str] = (0, "none")
    for offset in offsets:
        share = _partition_share(offset, retention.get(offset.topic), now_ms)
        if share is None:
            return None, f"{offset.topic}-{offset.partition}"
        worst = max(worst, (share, f"{offset.topic}-{offset.partition}"))
    return worst


def _partition_share(offset: GroupOffset, retention_ms: int | None, now_ms: int | None) -> int | None:
    if offset.log_end is not None and offset.committed is not None and offset.committed >= offset.log_end:
        return 0  # nothing unread
    if retention_ms is None:
        return None
    if retention_ms <= 0:
        return 0  # retention.ms=-1: kept for ever
    if offset.committed_timestamp_ms is not None and now_ms is not None:
        return max(0, (now_ms - offset.committed_timestamp_ms) * 100 // retention_ms)
    if (
        offset.retention_boundary is not None
        and offset.committed is not None
        and offset.committed < offset.retention_boundary
    ):
        return 100  # the next unread message is already older than retention.ms
    return None


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
        "has used up (time lag / retention.ms)",
    },
    context={
        "group": "group id",
        "bootstrap": "the cluster's bootstrap servers",
        "behind_partitions": "the partitions behind their log start, with offsets",
        "worst_partition": "the partition with the largest retention share",
    },
    build=group_subjects,
)
