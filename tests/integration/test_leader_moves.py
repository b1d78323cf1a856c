"""Requests to the broker the metadata names, when that broker changes under the audit.

A partition's leadership moves (a preferred-leader election after a broker is thawed or restarted,
a reassignment): the old leader answers ListOffsets with NOT_LEADER_OR_FOLLOWER. The session asks
the leader a fresh Metadata answer names, once, instead of reporting a gap at once. Leadership is
moved here the way an operator does it: reorder the replicas (kafka-reassign-partitions) and run a
preferred-leader election (kafka-leader-election --election-type PREFERRED). Set-up only: the
auditor's own session never writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from kafka.structs import TopicPartition

from auditor.sources.connection import ConnectionSettings
from auditor.sources.live.groups import LATEST, _ask_offsets, list_offsets
from auditor.sources.live.session import PartitionError, open_session

pytestmark = pytest.mark.integration

TIMEOUT_S = 20.0


def leader_on_every_broker(kafka_cluster: Any, admin: Any, topic: str) -> int | None:
    """The partition's leader when every broker's own metadata names the same one, else None."""
    from kafka.protocol.metadata import MetadataRequest

    request = MetadataRequest(
        topics=[MetadataRequest.MetadataRequestTopic(name=topic)], allow_auto_topic_creation=False
    )
    seen = set()
    for node in kafka_cluster.nodes:

        async def ask(node_id: int = node.node_id) -> Any:
            return await admin._manager.send(request, node_id=node_id)

        (answer,) = admin._manager.run(ask).to_dict()["topics"]
        seen.add(answer["partitions"][0]["leader_id"])
    return seen.pop() if len(seen) == 1 else None


def move_leadership(kafka_cluster: Any, admin: Any, topic: str) -> tuple[int, int]:
    """Make another replica the preferred leader and elect it; (old leader, new leader) once every
    broker's metadata names the new one."""
    (described,) = admin.describe_topics([topic])
    (part,) = described["partitions"]
    old, replicas = part["leader_id"], list(part["replica_nodes"])
    new = next(r for r in replicas if r != old)
    admin.alter_partition_reassignments({TopicPartition(topic, 0): [new, *(r for r in replicas if r != new)]})
    deadline = time.monotonic() + 60
    while leader_on_every_broker(kafka_cluster, admin, topic) != new:
        assert time.monotonic() < deadline, f"leadership of {topic}-0 did not move to {new}"
        admin.elect_leaders(0, {topic: [0]}, raise_errors=False)
        time.sleep(0.5)
    return old, new


def test_list_offsets_to_a_former_leader_is_asked_of_the_new_one(
    kafka_cluster: Any, admin: Any, make_topic: Callable[..., str]
) -> None:
    name = make_topic("moved")
    tp = (name, 0)
    settings = ConnectionSettings((kafka_cluster.bootstrap.split(",")[0],), timeout_s=TIMEOUT_S)
    with open_session(settings) as session:
        old, new = move_leadership(kafka_cluster, admin, name)
        asked: list[tuple[int, Mapping[tuple[str, int], int | PartitionError]]] = []

        def recorded(leader: int, partitions: Sequence[tuple[str, int]]) -> Mapping[Any, int | PartitionError]:
            answer = _ask_offsets(session, {tp: LATEST}, leader, partitions)
            asked.append((leader, answer))
            return answer

        answers = session.send_to_leaders(old, [tp], recorded)
        # the broker that led answers NOT_LEADER_OR_FOLLOWER; the one the refreshed metadata names, the offset
        assert asked == [(old, {tp: PartitionError(6)}), (new, {tp: 0})]
        assert answers == {tp: 0}
        assert list_offsets(session, old, {tp: LATEST}, "end") == {tp: 0}
        assert session.gaps == ()


def test_a_partition_no_broker_knows_stays_a_gap_with_the_brokers_error(
    kafka_cluster: Any, make_topic: Callable[..., str]
) -> None:
    """A partition no broker knows (a topic deleted while the audit runs) is looked up again once,
    then reported with the broker's own error: never an offset, never a pass."""
    name = make_topic("gone")
    settings = ConnectionSettings((kafka_cluster.bootstrap.split(",")[0],), timeout_s=TIMEOUT_S)
    with open_session(settings) as session:
        assert list_offsets(session, kafka_cluster.nodes[0].node_id, {(name, 7): LATEST}, "end") == {}
        (gap,) = session.gaps  # the topic has one partition
        assert gap.resource == f"partition {name}-7"
        assert gap.reason == "log end offset not read: UnknownTopicOrPartitionError", gap.reason
