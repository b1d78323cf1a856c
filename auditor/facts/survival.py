"""How many broker or rack failures a write survives, from the replication factor, min.insync.replicas,
the live ISR and the racks: pure functions of the cluster snapshot, no facts and no rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from auditor.facts.base import FactValue
from auditor.model import ClusterSnapshot, Partition, Topic


@dataclass(frozen=True)
class Survival:
    without_loss: int | None  # failures after which every acknowledged write still has a copy
    without_blocking: int | None  # failures after which the producer's writes are still accepted
    blocked_partitions: int | None  # partitions that do not accept such writes now


UNKNOWN_SURVIVAL = Survival(None, None, None)


def survival(
    topic: Topic, acks: FactValue, min_isr: int | None, unclean: bool | None, domain: Callable[[int], str] = str
) -> Survival:
    """Worst case over the partitions, failures striking where they hurt most.

    A failure takes one failure domain: a broker (the default), or with `domain` a rack. acks=all:
    a write is acknowledged once every ISR member has it, and only while the ISR has at least
    min.insync.replicas members, so min(min ISR, RF) copies exist, packed worst case into the
    fewest domains; the writes stop when the ISR falls below min ISR or no leader is left.
    acks=1/0: one copy; the writes stop only without a leader (an ISR member, or any live
    replica with unclean election).
    """
    if topic.replication_factor is None or not topic.partitions or acks not in ("all", "1", "0"):
        return UNKNOWN_SURVIVAL
    if acks == "all" and min_isr is None:
        return UNKNOWN_SURVIVAL
    need = min_isr if acks == "all" and min_isr is not None else 1
    copies = min(need, topic.replication_factor)
    losses, blocks = [], []
    for p in topic.partitions:
        losses.append(_domains_to_hold(p.replicas, copies, domain) - 1)
        electable = p.isr if acks == "all" else _electable(p, unclean)
        writable = p.leader is not None and len(electable) >= need
        blocks.append(_domains_removable(electable, need, domain) if writable else -1)
    blocked = sum(1 for b in blocks if b < 0)
    return Survival(max(min(losses), 0), max(min(blocks), 0), blocked)


def _domain_counts(brokers: tuple[int, ...], domain: Callable[[int], str]) -> list[int]:
    return sorted(Counter(domain(b) for b in brokers).values(), reverse=True)


def _domains_to_hold(replicas: tuple[int, ...], copies: int, domain: Callable[[int], str]) -> int:
    """The fewest domains that can hold `copies` of the replicas (where the data may all be)."""
    held = 0
    for count, size in enumerate(_domain_counts(replicas, domain), start=1):
        held += size
        if held >= copies:
            return count
    return 0


def _domains_removable(members: tuple[int, ...], need: int, domain: Callable[[int], str]) -> int:
    """How many domains can fail, largest first, with `need` members left."""
    left, removed = len(members), 0
    for size in _domain_counts(members, domain):
        if left - size < need:
            break
        left, removed = left - size, removed + 1
    return removed


def rack_domain(cluster: ClusterSnapshot, topic: Topic) -> Callable[[int], str] | None:
    """Each broker's rack (a broker without one is a domain of its own); None when no rack is known."""
    racks = {b.id: b.rack for b in cluster.brokers}
    replicas = {r for p in topic.partitions for r in p.replicas}
    if not any(racks.values()) or not replicas <= set(racks):
        return None
    return lambda broker: racks[broker] or f"broker {broker}"


def _electable(partition: Partition, unclean: bool | None) -> tuple[int, ...]:
    """Replicas that can lead: the ISR, or every live replica with unclean election."""
    if not unclean:
        return partition.isr
    return tuple(r for r in partition.replicas if r not in partition.offline_replicas)
