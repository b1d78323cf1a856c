"""Requests negotiated from the broker's ApiVersions, answers read at the version they came in.

The ApiVersions answers in tests/fixtures/api_versions were recorded from real brokers started by
scripts/kafka-cluster (Kafka 2.8.2 in ZooKeeper mode, 3.7.2 in KRaft mode). Each request goes
through kafka-python's own version choice and encoder, and each answer is encoded and decoded at
that version by kafka-python's codec, so a field an old version lacks is really absent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from auditor.errors import CollectionFailed
from auditor.model import CONTROLLER_QUORUM, ELIGIBLE_LEADER_REPLICAS, TRANSACTIONS
from auditor.sources.connection import ConnectionSettings
from auditor.sources.live import cluster as cluster_info
from auditor.sources.live import collect, not_applicable
from auditor.sources.live.groups import ListedGroup, fetch_offsets
from auditor.sources.live.session import Session, UndecodableAnswer, describe_error
from auditor.sources.live.versions import offered, zookeeper_mode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "api_versions"
Answer = Callable[[Any, int], Any]


def recorded(name: str) -> dict[int, tuple[int, int]]:
    raw = json.loads((FIXTURES / f"{name}.json").read_text())
    return {int(key): (low, high) for key, (low, high) in raw.items()}


class FakeManager:
    """kafka-python's connection manager as the Session uses it: picks the version with the real
    BrokerVersionData, encodes the request, and round-trips the answer through the codec."""

    def __init__(self, versions: dict[int, tuple[int, int]], answer: Answer) -> None:
        from kafka.protocol.broker_version_data import BrokerVersionData

        self.broker_version_data = BrokerVersionData(api_versions=versions)
        self.answer = answer
        self.sent: list[tuple[str, int]] = []

    def send(self, request: Any, node_id: int | None = None, request_timeout_ms: int | None = None) -> Any:
        version = self.broker_version_data.api_version(request)
        request.API_VERSION = version
        request.encode()
        self.sent.append((type(request).__name__, version))
        response = self.answer(request, version)
        return type(response).decode(response.encode(version=version), version=version)

    async def wait_for(self, future: Any, timeout_ms: int) -> Any:
        return future

    def least_loaded_node(self) -> int | None:  # the Session picks the broker for "any broker" requests
        return None

    def run(self, call: Callable[[], Any]) -> Any:
        return asyncio.run(call())


def session_for(versions: str, answer: Answer) -> tuple[Session, FakeManager]:
    manager = FakeManager(recorded(versions), answer)
    return Session(SimpleNamespace(_manager=manager), timeout_s=10), manager


def unexpected(request: Any, version: int) -> Any:
    raise AssertionError(f"{type(request).__name__} v{version} was not expected")


# ---- negotiation


def test_a_request_goes_at_the_highest_version_both_know() -> None:
    from kafka.protocol.admin import DescribeQuorumRequest
    from kafka.protocol.consumer import OffsetFetchRequest

    session, _ = session_for("kafka-2.8.2-zookeeper", unexpected)
    assert offered(session, OffsetFetchRequest) == 7  # 2.8 answers v0-7
    assert offered(session, OffsetFetchRequest, min_version=8) is None  # no batched OffsetFetch
    assert offered(session, DescribeQuorumRequest) is None
    kraft, _ = session_for("kafka-3.7.2-kraft", unexpected)
    assert offered(kraft, DescribeQuorumRequest) == 1  # error_message only from v2


def test_the_mode_comes_from_the_apis_the_brokers_offer() -> None:
    assert zookeeper_mode(session_for("kafka-2.8.2-zookeeper", unexpected)[0]) is True
    assert zookeeper_mode(session_for("kafka-3.7.2-kraft", unexpected)[0]) is False


def test_what_a_zookeeper_28_cluster_cannot_have() -> None:
    absent = not_applicable(session_for("kafka-2.8.2-zookeeper", unexpected)[0])
    assert set(absent) == {CONTROLLER_QUORUM, ELIGIBLE_LEADER_REPLICAS, TRANSACTIONS}
    assert "ZooKeeper" in absent[CONTROLLER_QUORUM]
    kraft = not_applicable(session_for("kafka-3.7.2-kraft", unexpected)[0])
    assert CONTROLLER_QUORUM not in kraft and TRANSACTIONS not in kraft


# ---- answers of old versions


def test_describe_cluster_v0_without_endpoint_type_or_fencing() -> None:
    from kafka.protocol.admin import DescribeClusterResponse

    def answer(request: Any, version: int) -> Any:
        broker = DescribeClusterResponse.DescribeClusterBroker(broker_id=1, host="kafka-1", port=9092, rack="a")
        return DescribeClusterResponse(
            throttle_time_ms=0, error_code=0, error_message=None, cluster_id="c-28", controller_id=1, brokers=[broker]
        )

    session, manager = session_for("kafka-2.8.2-zookeeper", answer)
    described = cluster_info.describe_cluster(session)
    assert manager.sent == [("DescribeClusterRequest", 0)]
    assert described["cluster_id"] == "c-28"
    assert cluster_info.broker(described["brokers"][0]).rack == "a"
    assert described["brokers"][0]["is_fenced"] is False


def test_describe_quorum_v1_without_error_message() -> None:
    from kafka.protocol.admin import DescribeQuorumResponse

    def answer(request: Any, version: int) -> Any:
        topic = DescribeQuorumResponse.TopicData
        replica = topic.PartitionData.ReplicaState
        partition = topic.PartitionData(
            partition_index=0,
            error_code=0,
            leader_id=1,
            leader_epoch=3,
            high_watermark=40,
            current_voters=[replica(replica_id=1, log_end_offset=40), replica(replica_id=2, log_end_offset=35)],
            observers=[],
        )
        topics = [topic(topic_name="__cluster_metadata", partitions=[partition])]
        return DescribeQuorumResponse(error_code=0, topics=topics)

    session, manager = session_for("kafka-3.7.2-kraft", answer)
    quorum = cluster_info.quorum(cluster_info.describe_quorum(session))
    assert manager.sent == [("DescribeQuorumRequest", 1)]
    assert [(v.id, v.lag) for v in quorum.voters] == [(1, 0), (2, 5)]


def test_offset_fetch_on_28_goes_one_group_at_a_time_at_v7() -> None:
    from kafka.protocol.consumer import OffsetFetchResponse

    def answer(request: Any, version: int) -> Any:
        topic = OffsetFetchResponse.OffsetFetchResponseTopic
        part = topic.OffsetFetchResponsePartition
        offsets = {"billing": [part(partition_index=0, committed_offset=0, error_code=0)], "audit": []}
        return OffsetFetchResponse(
            throttle_time_ms=0, error_code=0, topics=[topic(name="orders", partitions=offsets[request.group_id])]
        )

    session, manager = session_for("kafka-2.8.2-zookeeper", answer)
    groups = [ListedGroup(g, 1, "classic", "Empty", "consumer") for g in ("billing", "audit")]
    found = fetch_offsets(session, 1, groups)
    assert sorted(manager.sent) == [("OffsetFetchRequest", 7)] * 2
    assert found.committed == {"billing": {("orders", 0): 0}, "audit": {}}
    assert found.unread == {}


def test_a_partition_whose_offset_was_not_read_marks_the_group() -> None:
    from kafka.protocol.consumer import OffsetFetchResponse

    def answer(request: Any, version: int) -> Any:
        topic = OffsetFetchResponse.OffsetFetchResponseTopic
        part = topic.OffsetFetchResponsePartition
        parts = [part(partition_index=0, committed_offset=5, error_code=0), part(partition_index=1, error_code=29)]
        return OffsetFetchResponse(throttle_time_ms=0, error_code=0, topics=[topic(name="orders", partitions=parts)])

    session, _ = session_for("kafka-2.8.2-zookeeper", answer)
    found = fetch_offsets(session, 1, [ListedGroup("billing", 1, "classic", "Empty", "consumer")])
    assert found.committed == {"billing": {("orders", 0): 5}}
    assert found.unread == {"billing": "committed offset of orders-1 not read"}
    assert [g.resource for g in session.gaps] == ["group billing on orders-1"]
    assert "TopicAuthorizationFailedError: User:PRINCIPAL needs DESCRIBE on Topic 'orders'" in session.gaps[0].reason


# ---- failures


def test_an_answer_kafka_python_cannot_decode_names_api_and_version() -> None:
    from kafka.protocol.admin import DescribeClusterRequest

    def broken(request: Any, version: int) -> Any:
        raise KeyError("endpoint_type")

    session, _ = session_for("kafka-2.8.2-zookeeper", broken)
    with pytest.raises(UndecodableAnswer) as raised:
        session.send(DescribeClusterRequest(include_fenced_brokers=True))
    assert describe_error(raised.value) == (
        "DescribeCluster v0 answer not understood by kafka-python (KeyError: 'endpoint_type')"
    )


@contextmanager
def connected(session: Session) -> Iterator[Session]:
    yield session


def test_an_exception_escaping_the_collector_is_exit_3_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.sources.live as live

    session, _ = session_for("kafka-2.8.2-zookeeper", unexpected)
    monkeypatch.setattr(live, "open_session", lambda settings: connected(session))
    monkeypatch.setattr(live, "_describe_cluster", lambda session, servers: {"brokers": [{"broker_id": "x"}]})
    with pytest.raises(CollectionFailed) as raised:
        collect(ConnectionSettings(("127.0.0.1:9092",), 5.0))
    assert raised.value.exit_code == 3
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("reading the cluster at 127.0.0.1:9092 failed: ValueError: invalid literal")
