"""How the live source reads kafka-python's answers (shapes verified against Kafka 4.3)."""

from __future__ import annotations

import pytest

from auditor.model import QuorumVoter
from auditor.sources.live.cluster import QuorumError, finalized_features, quorum


def quorum_answer(partition: dict[str, object]) -> dict[str, object]:
    return {"topics": [{"topic_name": "__cluster_metadata", "partitions": [partition]}], "nodes": []}


def test_quorum_lag_is_measured_from_the_leader() -> None:
    answer = quorum_answer(
        {
            "partition_index": 0,
            "leader_id": 1,
            "high_watermark": 55,
            "current_voters": [
                {"replica_id": 1, "log_end_offset": 55},
                {"replica_id": 2, "log_end_offset": 50},
                {"replica_id": 3, "log_end_offset": -1},
            ],
            "observers": [{"replica_id": 4, "log_end_offset": 54}],
            "error": None,
        }
    )
    read = quorum(answer)
    assert read.leader_id == 1
    assert read.voters == (QuorumVoter(1, 55, 0), QuorumVoter(2, 50, 5), QuorumVoter(3, None, None))
    assert read.observers == (QuorumVoter(4, 54, 1),)


def test_quorum_without_leader() -> None:
    read = quorum(quorum_answer({"leader_id": -1, "current_voters": [{"replica_id": 1, "log_end_offset": 3}]}))
    assert read.leader_id is None and read.voters == (QuorumVoter(1, 3, None),)


def test_quorum_partition_error() -> None:
    with pytest.raises(QuorumError):
        quorum(quorum_answer({"error": "NotLeaderOrFollowerError"}))


def test_features_keep_finalized_levels_and_unfinalized_as_zero() -> None:
    answer: dict[str, dict[str, object]] = {
        "metadata.version": {"supported": (7, 30), "finalized": (30, 30), "finalized_epoch": 5},
        "eligible.leader.replicas.version": {"supported": (0, 1), "finalized": (1, 1), "finalized_epoch": 5},
        "kraft.version": {"supported": (0, 1)},
    }
    assert finalized_features(answer) == {
        "eligible.leader.replicas.version": 1,
        "kraft.version": 0,
        "metadata.version": 30,
    }
