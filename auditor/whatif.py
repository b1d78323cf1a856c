"""What if: the cluster snapshot as it would be with some brokers or racks down (--assume-down).

A pure transformation, applied before facts: each partition's ISR, leader and offline replicas
become what the KRaft controller makes them when those brokers are fenced. A down broker
leaves the ISR, except the last member before eligible leader replicas (KIP-966): without
them Kafka keeps the last in-sync replica in the ISR; with them (the cluster's finalized
eligible.leader.replicas.version >= 1) the ISR becomes empty and the ELR, which the
prediction does not model, is left unknown. A partition whose leader is down
elects the first replica in assignment order that is in the remaining ISR, else none (offline),
or, with unclean.leader.election.enable, the first live replica, which becomes the whole ISR.
Down brokers stay registered, fenced, as a stopped broker does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from auditor.errors import InvalidSetting, Setting
from auditor.model import Broker, ClusterSnapshot, Partition, Topic

ELR_FEATURE = "eligible.leader.replicas.version"


@dataclass(frozen=True)
class AssumeDown:
    brokers: frozenset[int] = frozenset()
    racks: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.brokers or self.racks)

    def describe(self) -> str:
        parts = [f"broker:{b}" for b in sorted(self.brokers)] + [f"rack:{r}" for r in sorted(self.racks)]
        return ", ".join(parts)


def parse_assume_down(values: Iterable[str]) -> AssumeDown:
    """`broker:ID` and `rack:NAME` items; InputError (exit 2) on anything else."""
    brokers: set[int] = set()
    racks: set[str] = set()
    for value in values:
        kind, _, name = value.partition(":")
        if kind == "broker" and name.strip().isdigit():
            brokers.add(int(name))
        elif kind == "rack" and name.strip():
            racks.add(name.strip())
        else:
            raise InvalidSetting(Setting.ASSUMED_DOWN, "expected broker:ID or rack:NAME", value=value)
    return AssumeDown(frozenset(brokers), frozenset(racks))


def down_brokers(cluster: ClusterSnapshot, down: AssumeDown) -> frozenset[int]:
    """The broker ids down; InputError when a broker or rack is not in the cluster."""
    known = {b.id for b in cluster.brokers}
    unknown = sorted(down.brokers - known)
    if unknown:
        raise InvalidSetting(
            Setting.ASSUMED_DOWN,
            f"no broker {', '.join(map(str, unknown))} in the cluster (brokers: {', '.join(map(str, sorted(known)))})",
        )
    racks = {b.rack for b in cluster.brokers if b.rack}
    missing = sorted(down.racks - racks)
    if missing:
        raise InvalidSetting(
            Setting.ASSUMED_DOWN,
            f"no rack {', '.join(missing)} in the cluster (racks: {', '.join(sorted(racks)) or 'none'})",
        )
    return frozenset(down.brokers | {b.id for b in cluster.brokers if b.rack in down.racks})


def assume_down(cluster: ClusterSnapshot, down: AssumeDown) -> ClusterSnapshot:
    """The snapshot with the brokers of `down` stopped."""
    if not down:
        return cluster
    ids = down_brokers(cluster, down)
    elr = cluster.features.get(ELR_FEATURE, 0) >= 1
    return replace(
        cluster,
        brokers=tuple(_fence(b, ids) for b in cluster.brokers),
        topics=tuple(_topic(t, ids, elr) for t in cluster.topics),
    )


def _fence(broker: Broker, down: frozenset[int]) -> Broker:
    return replace(broker, fenced=True) if broker.id in down else broker


def _topic(topic: Topic, down: frozenset[int], elr: bool) -> Topic:
    unclean = topic.configs.get("unclean.leader.election.enable")
    allow_unclean = unclean is not None and (unclean.value or "").strip().lower() == "true"
    return replace(topic, partitions=tuple(fail_over(p, down, allow_unclean, elr) for p in topic.partitions))


def fail_over(partition: Partition, down: frozenset[int], unclean: bool = False, elr: bool = False) -> Partition:
    """One partition after the brokers in `down` stop, as the controller handles it."""
    if not down & set(partition.replicas):
        return partition
    alive_isr = tuple(r for r in partition.isr if r not in down)
    isr = alive_isr if elr else alive_isr or partition.isr[-1:]  # without ELR the last ISR member stays
    leader = partition.leader
    if leader in down:
        leader = next((r for r in partition.replicas if r in alive_isr), None)
        if leader is None and unclean:
            leader = next((r for r in partition.replicas if r not in down), None)
            isr = (leader,) if leader is not None else isr
    offline = tuple(r for r in partition.replicas if r in down or r in partition.offline_replicas)
    eligible = None if elr else partition.eligible_leader_replicas
    return replace(partition, leader=leader, isr=isr, offline_replicas=offline, eligible_leader_replicas=eligible)
