"""--assume-down: partitions as the controller leaves them when brokers stop, and what follows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from auditor.errors import InputError
from auditor.facts import subjects
from auditor.facts.survival import survival
from auditor.model import Estate, Kind
from auditor.sources.services import declare_services
from auditor.whatif import AssumeDown, assume_down, fail_over, parse_assume_down
from tests.builders import broker, judge_estate, partition, snapshot, topic
from tests.service_builders import producer_service

DOWN_2 = frozenset({2})


@pytest.mark.parametrize(
    ("replicas", "isr", "leader", "down", "unclean", "expected"),
    [
        # (replicas, isr, leader) -> (leader, isr, offline) after `down` stops
        ((1, 2, 3), (1, 2, 3), 1, {2}, False, (1, (1, 3), (2,))),  # a follower leaves the ISR
        ((2, 1, 3), (2, 1, 3), 2, {2}, False, (1, (1, 3), (2,))),  # the leader: next ISR replica in order
        ((1, 2), (2,), 2, {2}, False, (None, (2,), (2,))),  # the last ISR member stays: offline
        ((1, 2), (2,), 2, {2}, True, (1, (1,), (2,))),  # unclean election picks a live replica
        ((1, 3), (1, 3), 1, {2}, False, (1, (1, 3), ())),  # not a replica: unchanged
        ((1, 2, 3), (1, 2, 3), 1, {1, 2}, False, (3, (3,), (1, 2))),
    ],
)
def test_fail_over(
    replicas: tuple[int, ...],
    isr: tuple[int, ...],
    leader: int,
    down: set[int],
    unclean: bool,
    expected: tuple[int | None, tuple[int, ...], tuple[int, ...]],
) -> None:
    after = fail_over(partition(replicas=replicas, isr=isr, leader=leader), frozenset(down), unclean)
    assert (after.leader, after.isr, after.offline_replicas) == expected


def test_with_eligible_leader_replicas_the_last_isr_member_leaves() -> None:
    """KIP-966 (Kafka 4.x): the ISR of an offline partition is empty; the ELR is not predicted."""
    cluster = replace(snapshot(topic("t", rf=1, replicas=(2,))), features={"eligible.leader.replicas.version": 1})
    (after,) = assume_down(cluster, AssumeDown(brokers=DOWN_2)).topics[0].partitions
    assert (after.leader, after.isr, after.offline_replicas, after.eligible_leader_replicas) == (None, (), (2,), None)


def test_rack_down_takes_its_brokers() -> None:
    cluster = snapshot(topic("orders"), broker_list=[broker(1, rack="a"), broker(2, rack="a"), broker(3, rack="b")])
    after = assume_down(cluster, parse_assume_down(["rack:a"]))
    assert after.topics[0].partitions[0].isr == (3,)
    assert [b.fenced for b in after.brokers] == [True, True, False]


@pytest.mark.parametrize(
    ("values", "error"),
    [
        (["node:2"], "brokers or racks assumed down 'node:2': expected broker:ID or rack:NAME"),
        (["broker:x"], "brokers or racks assumed down 'broker:x': expected broker:ID or rack:NAME"),
        (["broker:9"], "brokers or racks assumed down: no broker 9 in the cluster (brokers: 1, 2, 3)"),
        (["rack:z"], "brokers or racks assumed down: no rack z in the cluster (racks: rack-1, rack-2, rack-3)"),
    ],
)
def test_bad_assume_down_is_an_input_error(values: list[str], error: str) -> None:
    with pytest.raises(InputError, match="^" + error.replace("(", r"\(").replace(")", r"\)") + "$"):
        assume_down(snapshot(topic("orders")), parse_assume_down(values))


def test_one_broker_down_blocks_min_isr_equal_to_rf_only() -> None:
    """The pre-flight: with broker 2 down, RF 3 / min ISR 3 stops acks=all writes, min ISR 2 does not."""
    cluster = snapshot(topic("orders", min_isr="2"), topic("shipments", min_isr="3"))
    estate = Estate(
        cluster=assume_down(cluster, AssumeDown(brokers=DOWN_2)),
        services=(producer_service("orders"), producer_service("shipping", topics=("shipments",))),
    )
    blocked = {f.resource.name for f in judge_estate(estate) if f.rule_id == "E2E005"}
    assert blocked == {"shipping -> shipments"}


@pytest.mark.parametrize(
    ("rf", "min_isr", "isr", "acks", "expected"),
    [
        (3, "2", (1, 2, 3), "all", (1, 1, 0)),  # the checklist's setting: one failure either way
        (3, "1", (1, 2, 3), "all", (0, 2, 0)),  # never blocks, but a single copy may be all there is
        (3, "3", (1, 2, 3), "all", (2, 0, 0)),  # three copies, and the first failure blocks
        (3, "2", (1, 2), "all", (1, 0, 0)),  # already at min ISR: the next failure blocks
        (3, "2", (1,), "all", (1, 0, 1)),  # under min ISR: blocked now
        (3, "2", (1, 2, 3), "1", (0, 2, 0)),  # acks=1: one copy; writes go on while a leader exists
    ],
)
def test_survival(rf: int, min_isr: str, isr: tuple[int, ...], acks: str, expected: tuple[int, int, int]) -> None:
    parts = (partition(replicas=tuple(range(1, rf + 1)), isr=isr),)
    s = survival(topic("t", rf=rf, min_isr=min_isr, parts=parts), acks, int(min_isr), False)
    assert (s.without_loss, s.without_blocking, s.blocked_partitions) == expected


@pytest.mark.parametrize(
    ("racks", "expected"),
    [
        (("a", "b", "c"), (1, 1)),  # one rack per broker: a rack is a broker
        (("a", "a", "b"), (0, 0)),  # both copies may sit in rack a, and losing a leaves one in sync
        ((None, None, None), (None, None)),  # no racks known: not counted
    ],
)
def test_rack_failures(racks: tuple[str | None, ...], expected: tuple[int | None, int | None]) -> None:
    cluster = snapshot(topic("orders", min_isr="2"), broker_list=[broker(i + 1, rack=r) for i, r in enumerate(racks)])
    estate = declare_services(Estate(cluster=cluster), (producer_service("orders"),))
    (write,) = subjects(estate)[Kind.WRITE]
    facts = write.facts
    assert (facts["rack_failures_without_loss"].value, facts["rack_failures_without_blocking"].value) == expected
    assert (facts["survives_without_loss"].value, facts["survives_without_blocking"].value) == (1, 1)
