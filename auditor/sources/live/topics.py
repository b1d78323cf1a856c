"""Topics and partitions: Metadata for all of them at once, DescribeTopicPartitions for ELR."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from auditor.model import Configs, Partition, Topic
from auditor.sources.live.acls import DESCRIBE, on_topic, refused
from auditor.sources.live.session import Session

# Kafka's internal topics; the share-group state topic is not flagged internal by every broker.
INTERNAL_TOPICS = frozenset({"__consumer_offsets", "__transaction_state", "__share_group_state"})
ELR_BATCH = 500  # topics per DescribeTopicPartitions request (the broker pages at 2,000 partitions)


def describe_topics(session: Session) -> list[Any]:
    """Every topic the principal may describe, one Metadata request; errored topics become gaps.
    The answer's topics as kafka-python decoded them (read by attribute: turning the whole answer
    into dicts first cost a fifth of the collection's CPU at 2,000 topics)."""
    from kafka.protocol.metadata import MetadataRequest

    request = MetadataRequest(topics=None, allow_auto_topic_creation=False)
    readable = []
    for raw in session.send(request).topics:
        if raw.error_code:
            name = str(raw.name)
            reason = refused(session, raw.error_code, on_topic(DESCRIBE, name))
            session.gap(f"topic {name}", f"not described: {reason}")
        else:
            readable.append(raw)
    return readable


def eligible_leader_replicas(session: Session, names: Sequence[str]) -> dict[tuple[str, int], tuple[int, ...]]:
    """(topic, partition) -> ELR, from DescribeTopicPartitions (Kafka 3.7+), batched and paged."""
    batches = [list(names[start : start + ELR_BATCH]) for start in range(0, len(names), ELR_BATCH)]
    answers = session.parallel({i: partial(_elr_pages, session, batch) for i, batch in enumerate(batches)})
    elr: dict[tuple[str, int], tuple[int, ...]] = {}
    for index, answer in answers.items():
        if isinstance(answer, Exception):
            for name in batches[index]:
                reason = refused(session, answer, on_topic(DESCRIBE, name))
                session.gap(f"topic {name}", f"eligible leader replicas not read: {reason}")
        else:
            elr.update(answer)
    return elr


def _elr_pages(session: Session, names: list[str]) -> dict[tuple[str, int], tuple[int, ...]]:
    from kafka.protocol.admin import DescribeTopicPartitionsRequest

    elr: dict[tuple[str, int], tuple[int, ...]] = {}
    cursor = None
    while True:
        request = DescribeTopicPartitionsRequest(
            topics=[DescribeTopicPartitionsRequest.TopicRequest(name=name) for name in names],
            response_partition_limit=2000,
            cursor=cursor,
        )
        response = session.send(request)
        for topic in response.topics:
            if topic.error_code:
                reason = refused(session, topic.error_code, on_topic(DESCRIBE, topic.name))
                session.gap(f"topic {topic.name}", f"eligible leader replicas not read: {reason}")
                continue
            for part in topic.partitions:
                elr[topic.name, part.partition_index] = tuple(part.eligible_leader_replicas or ())
        if response.next_cursor is None:
            return elr
        cursor = DescribeTopicPartitionsRequest.Cursor(
            topic_name=response.next_cursor.topic_name, partition_index=response.next_cursor.partition_index
        )


Moves = Mapping[tuple[str, int], tuple[tuple[int, ...], tuple[int, ...]]]  # (adding, removing) replicas


def reassignments(session: Session) -> Moves:
    """Ongoing partition reassignments (ListPartitionReassignments, DESCRIBE on the cluster)."""
    from kafka.errors import for_code
    from kafka.protocol.admin import ListPartitionReassignmentsRequest

    request = ListPartitionReassignmentsRequest(timeout_ms=int(session.request_timeout_s * 1000), topics=None)
    response = session.send_to_controller(request)
    if response.error_code:
        raise for_code(response.error_code)(response.error_message)
    return {
        (t.name, p.partition_index): (tuple(p.adding_replicas), tuple(p.removing_replicas))
        for t in response.topics
        for p in t.partitions
    }


def topic(
    raw: Any,
    configs: Configs,
    elr: Mapping[tuple[str, int], tuple[int, ...]] | None,
    moves: Moves | None = None,
) -> Topic:
    """A topic of the Metadata answer (a field its version lacks reads as the schema's default)."""
    name = str(raw.name)
    partitions = sorted((partition(name, p, elr, moves) for p in raw.partitions or ()), key=lambda p: p.index)
    internal = bool(raw.is_internal) or name in INTERNAL_TOPICS
    return Topic(name=name, internal=internal, partitions=tuple(partitions), configs=configs)


def partition(
    topic_name: str,
    raw: Any,
    elr: Mapping[tuple[str, int], tuple[int, ...]] | None,
    moves: Moves | None = None,
) -> Partition:
    leader = raw.leader_id
    index = int(raw.partition_index)
    adding, removing = (moves or {}).get((topic_name, index), ((), ()))
    return Partition(
        topic=topic_name,
        index=index,
        leader=None if leader is None or leader < 0 else int(leader),
        replicas=tuple(raw.replica_nodes or ()),
        isr=tuple(raw.isr_nodes or ()),
        offline_replicas=tuple(raw.offline_replicas or ()),
        eligible_leader_replicas=None if elr is None else elr.get((topic_name, index)),
        adding_replicas=adding,
        removing_replicas=removing,
    )
