"""Brokers, the KRaft controller quorum and the finalized features, from kafka-python's answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.model import Broker, ControllerQuorum, QuorumVoter


def broker(raw: Mapping[str, Any]) -> Broker:
    return Broker(
        id=int(raw["broker_id"]),
        host=str(raw["host"]),
        port=int(raw["port"]),
        rack=raw.get("rack"),
        fenced=bool(raw.get("is_fenced", False)),
    )


def quorum(raw: Mapping[str, Any]) -> ControllerQuorum:
    """DescribeQuorum of `__cluster_metadata`-0; a voter's lag is the leader's log end minus its own."""
    partition = raw["topics"][0]["partitions"][0]
    if partition.get("error"):
        raise QuorumError(partition["error"])
    leader = partition.get("leader_id")
    leader_id = None if leader is None or leader < 0 else int(leader)
    voters = partition.get("current_voters") or []
    leader_end = next((v.get("log_end_offset") for v in voters if v.get("replica_id") == leader_id), None)
    return ControllerQuorum(
        leader_id=leader_id,
        voters=tuple(_voter(v, leader_end) for v in voters),
        observers=tuple(_voter(v, leader_end) for v in partition.get("observers") or []),
    )


class QuorumError(Exception):
    """DescribeQuorum answered with a partition-level error."""


def _voter(raw: Mapping[str, Any], leader_end: int | None) -> QuorumVoter:
    end = raw.get("log_end_offset")
    end = None if end is None or end < 0 else int(end)
    lag = None if end is None or leader_end is None else max(int(leader_end) - end, 0)
    return QuorumVoter(id=int(raw["replica_id"]), log_end_offset=end, lag=lag)


def finalized_features(raw: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Feature name -> finalized max version level; a supported feature never finalized is at level 0
    (as `kafka-features describe` shows it)."""
    return {name: int(info["finalized"][1]) if info.get("finalized") else 0 for name, info in sorted(raw.items())}
