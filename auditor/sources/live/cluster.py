"""Brokers, the KRaft controller quorum and the finalized features, from the brokers' answers.

DescribeCluster and DescribeQuorum are sent and read here rather than through kafka-python's
admin helpers, which assume fields their older versions lack (DescribeCluster v0 has no
endpoint_type, DescribeQuorum has error_message only from v2): a field a version lacks is read
as absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from auditor.model import Broker, ControllerQuorum, QuorumVoter
from auditor.sources.live.versions import offered

if TYPE_CHECKING:
    from auditor.sources.live.session import Session


def describe_cluster(session: Session) -> dict[str, Any]:
    """brokers (broker_id, host, port, rack, is_fenced), cluster_id and controller_id: from
    DescribeCluster (Kafka 2.8+), else from a Metadata request without topics."""
    from kafka.errors import for_code
    from kafka.protocol.admin import DescribeClusterRequest
    from kafka.protocol.metadata import MetadataRequest

    if offered(session, DescribeClusterRequest) is None:
        answer = session.send(MetadataRequest(topics=[], allow_auto_topic_creation=False))
        brokers = [_broker_dict(b, b.node_id) for b in answer.brokers]
    else:
        request = DescribeClusterRequest(include_cluster_authorized_operations=True, include_fenced_brokers=True)
        answer = session.send(request)
        if answer.error_code:
            raise for_code(answer.error_code)(answer.error_message or "")
        brokers = [_broker_dict(b, b.broker_id) for b in answer.brokers]
    described = {"brokers": brokers, "cluster_id": answer.cluster_id, "controller_id": answer.controller_id}
    codes = _operation_codes(getattr(answer, "authorized_operations", None))
    if codes is not None:
        described["authorized_operations"] = [name for code, name in ACL_OPERATIONS.items() if code in codes]
    return described


def _operation_codes(raw: Any) -> set[int] | None:
    """kafka-python's decoding of cluster_authorized_operations (a set of AclOperation codes), or
    the raw bit field; None when not known (INT_MIN: not asked for)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return None if raw < 0 else {code for code in ACL_OPERATIONS if raw & (1 << code)}
    if isinstance(raw, (set, frozenset, list, tuple)):
        return {int(code) for code in raw}
    return None


# Kafka's AclOperation codes, as DescribeCluster's cluster_authorized_operations bit field uses them.
ACL_OPERATIONS = {
    3: "READ", 4: "WRITE", 5: "CREATE", 6: "DELETE", 7: "ALTER", 8: "DESCRIBE", 9: "CLUSTER_ACTION",
    10: "DESCRIBE_CONFIGS", 11: "ALTER_CONFIGS", 12: "IDEMPOTENT_WRITE", 13: "CREATE_TOKENS", 14: "DESCRIBE_TOKENS",
}  # fmt: skip


def _broker_dict(raw: Any, broker_id: int) -> dict[str, Any]:
    fenced = bool(getattr(raw, "is_fenced", False))  # DescribeCluster v1+; never fenced before
    return {"broker_id": broker_id, "host": raw.host, "port": raw.port, "rack": raw.rack, "is_fenced": fenced}


def describe_quorum(session: Session) -> dict[str, Any]:
    """DescribeQuorum of `__cluster_metadata`-0 as a dict; only when the brokers offer it."""
    from kafka.errors import for_code
    from kafka.protocol.admin import DescribeQuorumRequest

    topic = DescribeQuorumRequest.TopicData
    request = DescribeQuorumRequest(
        topics=[topic(topic_name="__cluster_metadata", partitions=[topic.PartitionData(partition_index=0)])]
    )
    answer = session.send(request)
    if answer.error_code:
        raise for_code(answer.error_code)(getattr(answer, "error_message", None) or "")
    partition = answer.topics[0].partitions[0]
    return {
        "topics": [
            {
                "partitions": [
                    {
                        "error": for_code(partition.error_code).__name__ if partition.error_code else None,
                        "leader_id": partition.leader_id,
                        "current_voters": [_replica(v) for v in partition.current_voters],
                        "observers": [_replica(v) for v in partition.observers],
                    }
                ]
            }
        ]
    }


def _replica(raw: Any) -> dict[str, Any]:
    return {"replica_id": raw.replica_id, "log_end_offset": raw.log_end_offset}


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
