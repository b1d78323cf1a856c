"""The plan: what to change, in an order that never makes a topic unwritable, checked by what-if.

The changes come from the store rules' findings on the current cluster (the policy's targets and
scope): replication factor (STO001) by reassignment; min.insync.replicas (STO002, STO003) and
unclean.leader.election.enable (STO004) by config changes, on the topic when the topic overrides
the value, else on the brokers' default. The order is the safe one: replication factor first
(and the ISR filled), then min.insync.replicas on topics, then unclean election on topics, then
broker defaults. Every change is judged on the cluster as it would be after it (rule STO011,
under min ISR, on every partition it affects, internal ones included, whatever the scope): a
change after which some partition would be under min.insync.replicas is refused, not written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import IntEnum
from typing import TypeVar

from auditor.engine import Rule, evaluate
from auditor.facts import KINDS, Subject
from auditor.findings import Finding, Status, Waiver
from auditor.model import Broker, ClusterSnapshot, ConfigSource, ConfigValue, Estate, Kind, Partition, Topic
from auditor.plan.placement import Move, Refusal, raise_replication
from auditor.waivers import apply_waivers

MIN_ISR = "min.insync.replicas"
UNCLEAN = "unclean.leader.election.enable"
UNDER_MIN_ISR_RULE = "STO011"


class Step(IntEnum):
    """The order changes are applied in; the plan's apply.sh follows it."""

    REPLICATION = 1
    TOPIC_MIN_ISR = 2
    TOPIC_UNCLEAN = 3
    BROKER_DEFAULTS = 4


@dataclass(frozen=True)
class ConfigChange:
    """One kafka-configs --alter: on a topic, one broker, or the cluster-wide broker default (name None)."""

    step: Step
    entity: str  # topics | brokers
    name: str | None
    key: str
    value: str
    previous: ConfigValue | None
    rules: tuple[str, ...]

    @property
    def subject(self) -> str:
        if self.entity == "topics":
            return f"topic {self.name}"
        return f"broker {self.name}" if self.name is not None else "cluster-wide broker default"


@dataclass(frozen=True)
class Plan:
    cluster: ClusterSnapshot
    target_replication_factor: int | None
    target_min_insync_replicas: int | None
    moves: tuple[Move, ...]
    changes: tuple[ConfigChange, ...]
    refused: tuple[Refusal, ...]
    remaining: tuple[Finding, ...]  # store findings the plan does not clear
    manual: tuple[Finding, ...]  # findings only a person can fix (broker.rack needs a restart)


@dataclass(frozen=True)
class Selection:
    """Which findings the plan acts on: the policy's scope and waivers, and (from a saved report)
    only the findings that report failed on. Unknown findings never make a change."""

    topics: frozenset[str] | None = None  # the topics in the policy's scope; None: every topic
    waivers: tuple[Waiver, ...] = ()
    today: date | None = None
    reported: frozenset[tuple[str, str, str]] | None = None  # (rule id, resource kind, name)

    def keep(self, findings: Iterable[Finding]) -> list[Finding]:
        waived, _ = apply_waivers(findings, self.waivers, self.today or date.today())
        return [f for f in waived if f.status is Status.FAIL and self._selected(f)]

    def _selected(self, finding: Finding) -> bool:
        if finding.resource.kind == Kind.TOPIC and self.topics is not None and finding.resource.name not in self.topics:
            return False
        key = (finding.rule_id, str(finding.resource.kind), finding.resource.name)
        return self.reported is None or key in self.reported


def build_plan(
    cluster: ClusterSnapshot, tuned: Sequence[Rule], safety: Sequence[Rule], selection: Selection | None = None
) -> Plan:
    """The plan for `cluster` under the tuned rules; `safety` holds STO011 (untuned: a policy that
    turns it off does not make an unsafe order safe)."""
    chosen = selection or Selection()
    rules = {r.id: r for r in tuned}
    findings = chosen.keep(judge_store(cluster, tuned))
    rf = _param(rules, "STO001", "min_replication_factor")
    min_isr = _param(rules, "STO002", "min_insync_replicas")
    guard = _SafetyGuard(cluster, [r for r in safety if r.id == UNDER_MIN_ISR_RULE])
    low_rf = {f.resource.name for f in findings if f.rule_id == "STO001" and f.resource.kind == Kind.TOPIC}
    moves, refused = raise_replication(cluster, low_rf, rf) if rf is not None and low_rf else ([], [])
    state = guard.accept_moves(moves)
    changes: list[ConfigChange] = []
    for change in proposed_changes(state, chosen.keep(judge_store(state, tuned)), min_isr):
        refusal = guard.try_change(change)
        if refusal is None:
            changes.append(change)
        else:
            refused.append(refusal)
    after = chosen.keep(judge_store(guard.state, tuned))
    return Plan(
        cluster=cluster,
        target_replication_factor=rf,
        target_min_insync_replicas=min_isr,
        moves=tuple(moves),
        changes=tuple(changes),
        refused=tuple(refused),
        remaining=tuple(f for f in after if f.rule_id in FIXED_BY_PLAN),
        manual=tuple(f for f in findings if f.rule_id in MANUAL),
    )


FIXED_BY_PLAN = ("STO001", "STO002", "STO003", "STO004")
MANUAL = ("STO015",)


def judge_store(cluster: ClusterSnapshot, rules: Sequence[Rule]) -> list[Finding]:
    """The store rules' findings (fail or unknown) on `cluster`, live-cluster subjects only."""
    wanted = [r for r in rules if r.id in FIXED_BY_PLAN + MANUAL]
    return evaluate(wanted, _subjects(cluster, Kind.TOPIC, Kind.BROKER, Kind.CLUSTER))


def _subjects(cluster: ClusterSnapshot, *kinds: Kind) -> dict[Kind, list[Subject]]:
    """The subjects of only these kinds (the plan judges the cluster many times over)."""
    estate = Estate(cluster=cluster)
    return {kind: list(KINDS[kind].build(estate)) for kind in kinds}


def _param(rules: Mapping[str, Rule], rule_id: str, name: str) -> int | None:
    rule = rules.get(rule_id)
    value = rule.params.get(name) if rule else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def proposed_changes(state: ClusterSnapshot, findings: Sequence[Finding], min_isr: int | None) -> list[ConfigChange]:
    """The config changes that clear STO002-STO004 on `state` (the cluster after the moves), in order."""
    topics = {t.name: t for t in state.topics}
    brokers = {str(b.id): b for b in state.brokers}
    changes: dict[tuple[str, str | None, str], ConfigChange] = {}
    for finding in findings:
        for change in _changes_for(finding, topics, brokers, min_isr):
            key = (change.entity, change.name, change.key)
            earlier = changes.get(key)
            rules = tuple(dict.fromkeys((*(earlier.rules if earlier else ()), finding.rule_id)))
            changes[key] = replace(change, rules=rules)
    return sorted(changes.values(), key=lambda c: (c.step, c.entity, c.name or "", c.key))


def _changes_for(
    finding: Finding, topics: Mapping[str, Topic], brokers: Mapping[str, Broker], min_isr: int | None
) -> list[ConfigChange]:
    rule, kind, name = finding.rule_id, finding.resource.kind, finding.resource.name
    if rule == "STO004":
        return _setting(kind, name, UNCLEAN, "false", topics, brokers, Step.TOPIC_UNCLEAN)
    if rule == "STO002" and min_isr is not None:
        return _setting(kind, name, MIN_ISR, str(min_isr), topics, brokers, Step.TOPIC_MIN_ISR)
    if rule == "STO003" and kind == "topic" and min_isr is not None and name in topics:
        rf = topics[name].replication_factor or 0
        lowered = min(min_isr, rf - 1)
        if lowered >= 1:
            return _setting(kind, name, MIN_ISR, str(lowered), topics, brokers, Step.TOPIC_MIN_ISR, override_only=True)
    return []


def _setting(
    kind: str,
    name: str,
    key: str,
    value: str,
    topics: Mapping[str, Topic],
    brokers: Mapping[str, Broker],
    topic_step: Step,
    override_only: bool = False,
) -> list[ConfigChange]:
    """Where to set `key`: on the topic when the topic overrides it (or must), else on the broker
    that sets it dynamically, else as the cluster-wide default."""
    if kind == "topic" and name in topics:
        current = topics[name].configs.get(key)
        if override_only or (current is not None and current.source is ConfigSource.TOPIC_OVERRIDE):
            return [ConfigChange(topic_step, "topics", name, key, value, current, ())]
        if current is not None and current.source is ConfigSource.DYNAMIC_BROKER:
            return []  # the broker's own finding sets it there
        return [ConfigChange(Step.BROKER_DEFAULTS, "brokers", None, key, value, current, ())]
    if kind == "broker" and name in brokers:
        current = brokers[name].configs.get(key)
        if current is not None and current.source is ConfigSource.DYNAMIC_BROKER:
            return [ConfigChange(Step.BROKER_DEFAULTS, "brokers", name, key, value, current, ())]
        return [ConfigChange(Step.BROKER_DEFAULTS, "brokers", None, key, value, current, ())]
    return []


class _SafetyGuard:
    """The cluster as the accepted changes leave it; refuses a change that puts a partition under
    min.insync.replicas that was not under it already. A topic change is judged on that topic's
    partitions alone, a broker default on every partition."""

    def __init__(self, cluster: ClusterSnapshot, rules: Sequence[Rule]) -> None:
        self._base = cluster
        self._topics = {t.name: t for t in cluster.topics}
        self._rules = rules
        self._already = self._under_min_isr(cluster)

    @property
    def state(self) -> ClusterSnapshot:
        return replace(self._base, topics=tuple(self._topics.values()))

    def accept_moves(self, moves: Sequence[Move]) -> ClusterSnapshot:
        self._base = after_moves(self.state, moves)
        self._topics = {t.name: t for t in self._base.topics}
        return self._base

    def try_change(self, change: ConfigChange) -> Refusal | None:
        if change.entity == "topics" and change.name in self._topics:
            topic = self._topics[change.name]
            candidate = replace(self._base, topics=(_set(topic, _topic_value(change)),))
        else:
            candidate = after_change(self.state, change)
        blocked = sorted(self._under_min_isr(candidate) - self._already)
        if blocked:
            return Refusal(change.subject, _blocked_reason(change, blocked, candidate))
        if len(candidate.topics) == 1 and change.entity == "topics":
            self._topics[candidate.topics[0].name] = candidate.topics[0]
        else:
            self._base = candidate
            self._topics = {t.name: t for t in candidate.topics}
        return None

    def _under_min_isr(self, cluster: ClusterSnapshot) -> set[str]:
        if not self._rules:
            return set()
        return {f.resource.name for f in evaluate(self._rules, _subjects(cluster, Kind.PARTITION))}


def _topic_value(change: ConfigChange) -> ConfigValue:
    return ConfigValue(change.key, change.value, ConfigSource.TOPIC_OVERRIDE)


def _blocked_reason(change: ConfigChange, blocked: list[str], state: ClusterSnapshot) -> str:
    isr = {p.name: len(p.isr) for t in state.topics for p in t.partitions}
    shown = ", ".join(f"{name} (ISR {isr.get(name, '?')})" for name in blocked[:5])
    more = f" and {len(blocked) - 5} more" if len(blocked) > 5 else ""
    return (
        f"setting {change.key}={change.value} would leave {len(blocked)} partition(s) under "
        f"min.insync.replicas and block acks=all writes to them: {shown}{more}; restore their "
        "in-sync replicas (or raise their replication factor) and plan again"
    )


def after_moves(cluster: ClusterSnapshot, moves: Sequence[Move]) -> ClusterSnapshot:
    """The cluster once the reassignment finished: new replicas assigned and caught up (in the ISR)."""
    by_partition = {(m.topic, m.partition): m for m in moves}
    if not by_partition:
        return cluster
    return replace(cluster, topics=tuple(_moved_topic(t, by_partition) for t in cluster.topics))


def _moved_topic(topic: Topic, moves: Mapping[tuple[str, int], Move]) -> Topic:
    if not any((topic.name, p.index) in moves for p in topic.partitions):
        return topic
    return replace(topic, partitions=tuple(_moved(p, moves.get((topic.name, p.index))) for p in topic.partitions))


def _moved(partition: Partition, move: Move | None) -> Partition:
    if move is None:
        return partition
    return replace(partition, replicas=move.target, isr=(*partition.isr, *move.added))


def after_change(cluster: ClusterSnapshot, change: ConfigChange) -> ClusterSnapshot:
    """The cluster with one config change applied, as DescribeConfigs would then report it."""
    if change.entity == "topics":
        topics = tuple(_set(t, _topic_value(change)) if t.name == change.name else t for t in cluster.topics)
        return replace(cluster, topics=topics)
    source = ConfigSource.DYNAMIC_BROKER if change.name is not None else ConfigSource.DYNAMIC_CLUSTER_DEFAULT
    value = ConfigValue(change.key, change.value, source)
    weaker = _weaker_sources(source)
    brokers = tuple(
        _set(b, value) if _applies(b.configs.get(change.key), weaker) and _is_broker(b, change) else b
        for b in cluster.brokers
    )
    # a topic inherits the cluster-wide default; a per-broker value only where it already came from one
    inherited = weaker if change.name is None else frozenset({ConfigSource.DYNAMIC_BROKER})
    topics = tuple(_set(t, value) if _applies(t.configs.get(change.key), inherited) else t for t in cluster.topics)
    return replace(cluster, brokers=brokers, topics=topics)


def _is_broker(broker: Broker, change: ConfigChange) -> bool:
    return change.name is None or str(broker.id) == change.name


def _weaker_sources(source: ConfigSource) -> frozenset[ConfigSource]:
    """The sources a dynamic broker setting overrides (Kafka's precedence)."""
    weaker = {ConfigSource.STATIC_BROKER, ConfigSource.KAFKA_DEFAULT, ConfigSource.DYNAMIC_CLUSTER_DEFAULT}
    if source is ConfigSource.DYNAMIC_BROKER:
        weaker.add(ConfigSource.DYNAMIC_BROKER)
    return frozenset(weaker)


def _applies(current: ConfigValue | None, weaker: frozenset[ConfigSource]) -> bool:
    return current is None or current.source in weaker


Configured = TypeVar("Configured", Topic, Broker)


def _set(item: Configured, value: ConfigValue) -> Configured:
    return replace(item, configs={**item.configs, value.key: value})
