"""Consumer groups, their committed offsets, and the log bounds of the partitions they consume.

Read-only: ListGroups, DescribeGroups and OffsetFetch go to the coordinator that listed the
group (each broker lists the groups it coordinates, so no FindCoordinator is needed); the log
bounds, and the offsets at the instants that tell a group's time lag against retention.ms,
come from ListOffsets (by timestamp, a DESCRIBE on the topic) grouped by partition leader: the
first unread message's timestamp would need READ, which the auditor does not have.
Nothing joins a group or commits.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from auditor.model import ConsumerGroup, GroupOffset, Topic
from auditor.sources.live.acls import DESCRIBE, on_cluster, on_group, on_topic, refused
from auditor.sources.live.session import PartitionError, Session
from auditor.sources.live.versions import NotOffered, offered

EARLIEST, LATEST = -2, -1
OFFSET_FETCH_BATCHED = 8  # v8 (Kafka 3.0+) batches groups; v9+ adds member epochs this reader does not need
OFFSET_FETCH_ALL_TOPICS = 2  # v2+: topics=None fetches every partition the group committed
SHARE = "share"


@dataclass(frozen=True)
class ListedGroup:
    id: str
    coordinator: int
    type: str | None
    state: str | None
    protocol_type: str | None


Described = dict[str, tuple[int, str | None]]  # group id -> (member count, state)
Committed = dict[str, dict[tuple[str, int], int | None]]  # group id -> partition -> committed offset
Unread = dict[str, str]  # group id -> why (some of) its committed offsets were not read


@dataclass(frozen=True)
class GroupsRead:
    """What the coordinators said about the groups, before the log bounds are read."""

    listed: tuple[ListedGroup, ...]
    described: Described
    committed: Committed
    unread: Unread


def read_groups(session: Session, broker_ids: Sequence[int]) -> GroupsRead:
    """List the groups on every broker, then describe them and fetch their offsets per coordinator."""
    listed = list_groups(session, broker_ids)
    by_coordinator: dict[int, list[ListedGroup]] = defaultdict(list)
    for group in listed:
        by_coordinator[group.coordinator].append(group)
    calls: dict[tuple[str, int], Any] = {}
    for coordinator, groups in by_coordinator.items():
        calls[("describe", coordinator)] = partial(describe_members, session, coordinator, groups)
        calls[("offsets", coordinator)] = partial(fetch_offsets, session, coordinator, groups)
    described: Described = {}
    committed: Committed = {}
    unread: Unread = {}
    for (what, coordinator), answer in session.parallel(calls).items():
        if isinstance(answer, Exception):
            for group in by_coordinator[coordinator]:
                reason = f"{_WHAT[what]} not read: {refused(session, answer, on_group(group.id))}"
                session.gap(f"group {group.id}", reason)
                if what == "offsets" and group.type != SHARE:
                    unread[group.id] = reason
        elif what == "describe":
            described.update(answer)
        else:
            committed.update(answer.committed)
            unread.update(answer.unread)
    return GroupsRead(tuple(listed), described, committed, unread)


def finish_groups(
    session: Session, read: GroupsRead, topics: Mapping[str, Topic], shares: Sequence[float] = ()
) -> tuple[ConsumerGroup, ...]:
    """The groups with the log bounds of every partition they have committed offsets on, and the
    offsets at now - p% of retention.ms for each share p in `shares` (the time-lag probes)."""
    consumed = {tp for offsets in read.committed.values() for tp in offsets}
    bounds = log_bounds(session, consumed, topics, shares)
    groups = (
        _group(g, read.described.get(g.id), read.committed.get(g.id, {}), bounds, read.unread.get(g.id))
        for g in read.listed
    )
    return tuple(sorted(groups, key=lambda g: g.id))


_WHAT = {"describe": "members", "offsets": "committed offsets"}


def list_groups(session: Session, broker_ids: Sequence[int]) -> list[ListedGroup]:
    from kafka.protocol.admin import ListGroupsRequest

    answers = session.parallel({b: partial(session.send, ListGroupsRequest(), b) for b in broker_ids})
    listed: list[ListedGroup] = []
    for broker_id, answer in answers.items():
        # old brokers refuse ListGroups without DESCRIBE on the cluster; newer ones list the groups the
        # principal may describe (all of them with DESCRIBE on the cluster)
        error = answer if isinstance(answer, Exception) else answer.error_code
        if isinstance(answer, Exception) or error:
            reason = refused(session, error, on_cluster(DESCRIBE))
            session.gap(f"groups coordinated by broker {broker_id}", f"not listed: {reason}")
        else:
            listed.extend(_listed(g, broker_id) for g in answer.groups)
    return listed


def _listed(raw: Any, coordinator: int) -> ListedGroup:
    return ListedGroup(
        id=raw.group_id,
        coordinator=coordinator,
        type=(getattr(raw, "group_type", None) or "classic").lower(),
        state=getattr(raw, "group_state", None) or None,
        protocol_type=raw.protocol_type or None,
    )


def describe_members(session: Session, coordinator: int, groups: list[ListedGroup]) -> Described:
    """Member counts of classic groups (DescribeGroups). Other group types are described by APIs
    kafka-python does not have (ConsumerGroupDescribe, ShareGroupDescribe): their count is a gap."""
    from kafka.protocol.admin import DescribeGroupsRequest

    for group in groups:
        if group.type != "classic":
            session.gap(
                f"group {group.id}",
                f"members not read: {group.type} groups are described by an API "
                "kafka-python 3.0 does not implement (ConsumerGroupDescribe / ShareGroupDescribe)",
            )
    classic = [g.id for g in groups if g.type == "classic"]
    if not classic:
        return {}
    response = session.send(DescribeGroupsRequest(groups=classic), node_id=coordinator)
    described: Described = {}
    for group in response.groups:
        if group.error_code:
            reason = refused(session, group.error_code, on_group(group.group_id))
            session.gap(f"group {group.group_id}", f"members not read: {reason}")
        else:
            described[group.group_id] = (len(group.members), group.group_state or None)
    return described


@dataclass
class Offsets:
    """What OffsetFetch said of a coordinator's groups: committed offsets, and what was not read."""

    committed: Committed = field(default_factory=dict)
    unread: Unread = field(default_factory=dict)

    def group_error(self, session: Session, group_id: str, code: int) -> None:
        reason = f"committed offsets not read: {refused(session, code, on_group(group_id))}"
        session.gap(f"group {group_id}", reason)
        self.unread[group_id] = reason

    def add(self, session: Session, group_id: str, topics: Any) -> None:
        offsets = self.committed.setdefault(group_id, {})
        for topic in topics:
            for part in topic.partitions:
                if part.error_code:
                    where = f"{topic.name}-{part.partition_index}"
                    reason = refused(session, part.error_code, on_topic(DESCRIBE, topic.name))
                    session.gap(f"group {group_id} on {where}", f"committed offset not read: {reason}")
                    self.unread.setdefault(group_id, f"committed offset of {where} not read")
                else:
                    offset = part.committed_offset
                    offsets[topic.name, part.partition_index] = None if offset < 0 else offset


def fetch_offsets(session: Session, coordinator: int, groups: list[ListedGroup]) -> Offsets:
    """Committed offsets of every non-share group this coordinator owns: in one OffsetFetch when the
    broker batches groups (v8+, Kafka 3.0+), else one per group (v2-v7)."""
    from kafka.protocol.consumer import OffsetFetchRequest

    wanted = [g.id for g in groups if g.type != SHARE]
    found = Offsets()
    if not wanted:
        return found
    if offered(session, OffsetFetchRequest, OFFSET_FETCH_BATCHED) is not None:
        _fetch_batched(session, coordinator, wanted, found)
        return found
    if offered(session, OffsetFetchRequest, OFFSET_FETCH_ALL_TOPICS) is None:
        raise NotOffered("the broker does not offer OffsetFetch v2+ (Kafka 0.10.2+)")
    answers = session.parallel({gid: partial(_fetch_one, session, coordinator, gid) for gid in wanted})
    for group_id, answer in answers.items():
        if isinstance(answer, Exception):
            reason = f"committed offsets not read: {refused(session, answer, on_group(group_id))}"
            session.gap(f"group {group_id}", reason)
            found.unread[group_id] = reason
        elif answer.error_code:
            found.group_error(session, group_id, answer.error_code)
        else:
            found.add(session, group_id, answer.topics)
    return found


def _fetch_batched(session: Session, coordinator: int, wanted: list[str], found: Offsets) -> None:
    from kafka.protocol.consumer import OffsetFetchRequest

    request = OffsetFetchRequest(
        groups=[OffsetFetchRequest.OffsetFetchRequestGroup(group_id=gid, topics=None) for gid in wanted],
        min_version=OFFSET_FETCH_BATCHED,
        max_version=OFFSET_FETCH_BATCHED,
    )
    response = session.send(request, node_id=coordinator)
    if response.error_code:
        raise _response_error(response.error_code)
    for group in response.groups:
        if group.error_code:
            found.group_error(session, group.group_id, group.error_code)
        else:
            found.add(session, group.group_id, group.topics)


def _fetch_one(session: Session, coordinator: int, group_id: str) -> Any:
    from kafka.protocol.consumer import OffsetFetchRequest

    request = OffsetFetchRequest(
        group_id=group_id, topics=None, min_version=OFFSET_FETCH_ALL_TOPICS, max_version=OFFSET_FETCH_BATCHED - 1
    )
    return session.send(request, node_id=coordinator)


def _response_error(code: int) -> Exception:
    from kafka.errors import for_code

    error: Exception = for_code(code)()
    return error


# ---- log bounds


@dataclass(frozen=True)
class Bounds:
    log_start: int | None = None
    log_end: int | None = None
    retention_boundary: int | None = None
    lag_probes: tuple[tuple[float, int | None], ...] = ()


Kind = str | float  # "start", "end", "boundary", or a retention share (percent) probed


def log_bounds(
    session: Session, partitions: set[tuple[str, int]], topics: Mapping[str, Topic], shares: Sequence[float] = ()
) -> dict[tuple[str, int], Bounds]:
    """Log start, log end, the offset at now - retention.ms and at now - p% of retention.ms (for
    each p in `shares`) of each partition: one ListOffsets per leader and kind, all at once."""
    by_leader: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for tp in sorted(partitions):
        leader = _leader(topics, tp)
        if leader is None:
            session.gap(f"partition {tp[0]}-{tp[1]}", "log offsets not read: no leader (offline or unknown)")
        else:
            by_leader[leader].append(tp)
    now_ms = int(time.time() * 1000)
    retention = {tp: ms for tp in partitions if (ms := _retention_ms(topics, tp[0])) is not None and ms > 0}
    calls: dict[tuple[int, Kind], Any] = {}
    for leader, tps in by_leader.items():
        calls[(leader, "start")] = partial(list_offsets, session, leader, {tp: EARLIEST for tp in tps}, "start")
        calls[(leader, "end")] = partial(list_offsets, session, leader, {tp: LATEST for tp in tps}, "end")
        kinds: list[tuple[Kind, float]] = [("boundary", 100), *((share, share) for share in shares)]
        for kind, share in kinds:
            stamps = {tp: now_ms - int(retention[tp] * share / 100) for tp in tps if tp in retention}
            if stamps:
                calls[(leader, kind)] = partial(list_offsets, session, leader, stamps, _offset_kind(kind))
    found: dict[Kind, dict[tuple[str, int], int]] = defaultdict(dict)
    for (leader, kind), answer in session.parallel(calls).items():
        if isinstance(answer, Exception):
            what = _offset_kind(kind)
            for tp in by_leader[leader]:
                reason = refused(session, answer, on_topic(DESCRIBE, tp[0]))
                session.gap(f"partition {tp[0]}-{tp[1]}", f"log {what} offset not read: {reason}")
        else:
            found[kind].update(answer)
    return {tp: _bounds(tp, found, shares) for tp in partitions}


def _offset_kind(kind: Kind) -> str:
    return kind if isinstance(kind, str) else f"{kind:g}%-of-retention"


def _bounds(
    tp: tuple[str, int], found: Mapping[Kind, Mapping[tuple[str, int], int]], shares: Sequence[float]
) -> Bounds:
    def offset(kind: Kind) -> int | None:
        return found.get(kind, {}).get(tp)

    end, boundary = offset("end"), offset("boundary")
    if boundary is not None and boundary < 0:
        boundary = end  # no message is newer than now - retention.ms: all of the log is past retention
    # -1: no message is newer than now - p% of retention.ms
    probes = tuple((share, None if o < 0 else o) for share in shares if (o := offset(share)) is not None)
    return Bounds(log_start=offset("start"), log_end=end, retention_boundary=boundary, lag_probes=probes)


def _leader(topics: Mapping[str, Topic], tp: tuple[str, int]) -> int | None:
    topic = topics.get(tp[0])
    if topic is None:
        return None
    return next((p.leader for p in topic.partitions if p.index == tp[1]), None)


def _retention_ms(topics: Mapping[str, Topic], name: str) -> int | None:
    topic = topics.get(name)
    value = topic.configs.get("retention.ms") if topic else None
    try:
        return int(value.value) if value and value.value is not None else None
    except ValueError:
        return None


def list_offsets(
    session: Session, leader: int, specs: Mapping[tuple[str, int], int], what: str = ""
) -> dict[tuple[str, int], int]:
    """ListOffsets to `leader`, and to the current leader of each partition it no longer leads
    (Session.send_to_leaders); what stays unanswered becomes a gap, answered offsets are returned."""
    label = f"log {what} offset" if what else "log offset"
    offsets: dict[tuple[str, int], int] = {}
    answers = session.send_to_leaders(leader, sorted(specs), partial(_ask_offsets, session, specs))
    for (topic, index), answer in sorted(answers.items()):
        if isinstance(answer, int):
            offsets[topic, index] = answer
            continue
        error = answer.code if isinstance(answer, PartitionError) else answer
        reason = refused(session, error, on_topic(DESCRIBE, topic))
        session.gap(f"partition {topic}-{index}", f"{label} not read: {reason}")
    return offsets


def _ask_offsets(
    session: Session, specs: Mapping[tuple[str, int], int], leader: int, partitions: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], int | PartitionError]:
    """One ListOffsets to `leader` for `partitions`: each one's offset or error code."""
    from kafka.protocol.consumer import ListOffsetsRequest

    asked = ListOffsetsRequest.ListOffsetsTopic.ListOffsetsPartition
    by_topic: dict[str, list[Any]] = defaultdict(list)
    for topic, index in partitions:
        by_topic[topic].append(asked(partition_index=index, timestamp=specs[topic, index]))
    request = ListOffsetsRequest(
        replica_id=-1,
        isolation_level=0,
        topics=[ListOffsetsRequest.ListOffsetsTopic(name=name, partitions=parts) for name, parts in by_topic.items()],
        min_version=1,
    )
    return {
        (topic.name, part.partition_index): PartitionError(part.error_code) if part.error_code else int(part.offset)
        for topic in session.send(request, node_id=leader).topics
        for part in topic.partitions
    }


def _group(
    group: ListedGroup,
    described: tuple[int, str | None] | None,
    committed_offsets: Mapping[tuple[str, int], int | None],
    bounds: Mapping[tuple[str, int], Bounds],
    unread: str | None = None,
) -> ConsumerGroup:
    offsets = []
    for (topic, index), committed in sorted(committed_offsets.items()):
        b = bounds.get((topic, index), Bounds())
        offsets.append(
            GroupOffset(topic, index, committed, b.log_start, b.log_end, b.retention_boundary, lag_probes=b.lag_probes)
        )
    return ConsumerGroup(
        id=group.id,
        type=group.type,
        state=(described[1] if described else None) or group.state,
        protocol_type=group.protocol_type,
        members=described[0] if described else None,
        offsets=tuple(offsets),
        offsets_unread=unread,
    )
