"""Where the new replicas go when a topic's replication factor is raised.

A pure function of the cluster snapshot. Every current replica stays where it is (minimal
movement); each new replica goes first to a live broker on a rack the partition does not use yet,
then to the live broker holding the fewest replicas, never to a broker that already has one.
The first replica of each list (the preferred leader) is then chosen so that preferred leaders
stay balanced across brokers: within the partitions the plan changes first, then cluster-wide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from auditor.model import Broker, ClusterSnapshot, Partition, Topic


@dataclass(frozen=True)
class Move:
    """One partition's replica list, before and after the reassignment."""

    topic: str
    partition: int
    current: tuple[int, ...]
    target: tuple[int, ...]
    leader: int | None  # the partition's leader now: where the new replicas copy from

    @property
    def added(self) -> tuple[int, ...]:
        return tuple(b for b in self.target if b not in self.current)


@dataclass(frozen=True)
class Refusal:
    """A change the plan does not make, and why (a person must act first)."""

    subject: str
    reason: str


def raise_replication(
    cluster: ClusterSnapshot, topics: Iterable[str], target_rf: int
) -> tuple[list[Move], list[Refusal]]:
    """Moves raising every partition of `topics` to `target_rf` replicas, and the topics refused."""
    live = {b.id: b for b in cluster.brokers if not b.fenced}
    load = Counter(r for t in cluster.topics for p in t.partitions for r in p.replicas)
    by_name = {t.name: t for t in cluster.topics}
    moves: list[Move] = []
    refused: list[Refusal] = []
    for name in sorted(set(topics)):
        topic = by_name.get(name)
        if topic is None:
            refused.append(Refusal(f"topic {name}", "not in the cluster"))
            continue
        reason = _cannot_raise(topic, live, target_rf)
        if reason:
            refused.append(Refusal(f"topic {name}", reason))
            continue
        moves.extend(_raise(p, live, load, target_rf) for p in topic.partitions if len(p.replicas) < target_rf)
    return balance_leaders(moves, cluster), refused


def _cannot_raise(topic: Topic, live: Mapping[int, Broker], target_rf: int) -> str | None:
    if len(live) < target_rf:
        return f"only {len(live)} live broker(s) for replication factor {target_rf}"
    for p in topic.partitions:
        if p.adding_replicas or p.removing_replicas:
            return f"partition {p.name} is being reassigned now: let that finish first"
        away = [r for r in p.replicas if r not in live]
        if away:
            return (
                f"partition {p.name} has replicas on brokers that are down or not registered "
                f"({', '.join(map(str, away))}): bring them back first"
            )
    return None


def _raise(partition: Partition, live: Mapping[int, Broker], load: Counter[int], target_rf: int) -> Move:
    chosen = list(partition.replicas)
    while len(chosen) < target_rf:
        racks = {live[b].rack for b in chosen}
        candidates = [b for b in live if b not in chosen]
        best = min(candidates, key=lambda b: (_rack_used(live[b].rack, racks), load[b], b))
        chosen.append(best)
        load[best] += 1
    return Move(partition.topic, partition.index, partition.replicas, tuple(chosen), partition.leader)


def _rack_used(rack: str | None, racks: set[str | None]) -> bool:
    """A broker without a rack adds no rack diversity; one on a rack already used adds none either."""
    return rack is None or rack in racks


def balance_leaders(moves: list[Move], cluster: ClusterSnapshot) -> list[Move]:
    """Reorder each move's replicas so the preferred leaders of the moved partitions, and then of
    the whole cluster, spread evenly; a tie keeps the current preferred leader (no leader move)."""
    moved = {(m.topic, m.partition) for m in moves}
    cluster_wide = Counter(
        p.replicas[0] for t in cluster.topics for p in t.partitions if p.replicas and (t.name, p.index) not in moved
    )
    planned: Counter[int] = Counter()
    balanced = []
    for move in sorted(moves, key=lambda m: (m.topic, m.partition)):
        first = move.current[0] if move.current else None
        leader = min(move.target, key=lambda b: (planned[b], cluster_wide[b], b != first, b))
        planned[leader] += 1
        cluster_wide[leader] += 1
        order = (leader, *(b for b in move.target if b != leader))
        balanced.append(Move(move.topic, move.partition, move.current, order, move.leader))
    return balanced


def bytes_to_move(moves: Iterable[Move], sizes: Mapping[tuple[str, int], int]) -> tuple[dict[int, int], dict[int, int]]:
    """(bytes each broker receives, bytes each broker sends): every new replica copies the whole
    partition from its leader. Partitions without a known size count nothing (the caller says so)."""
    into: Counter[int] = Counter()
    out: Counter[int] = Counter()
    for move in moves:
        size = sizes.get((move.topic, move.partition))
        if size is None:
            continue
        for broker in move.added:
            into[broker] += size
            if move.leader is not None:
                out[move.leader] += size
    return dict(into), dict(out)
