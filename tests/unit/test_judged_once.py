"""Judging subjects with equal facts once never changes an outcome (auditor/engine/evaluate.py).

judge_all works out a rule's outcome once per combination of the facts its checks read. Every
built-in rule is judged on random subjects of each kind it targets (fact values from small
domains so that combinations repeat, facts left out, None for unknown, some not applicable),
and the findings, passes and not-run pairs must equal those of judging each subject on its
own, the way the engine is specified: first runnable check that does not pass finds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from auditor.engine import Verdicts, judge_all, load_rules
from auditor.engine.conditions import facts_read
from auditor.engine.evaluate import judge
from auditor.engine.rules import Rule
from auditor.facts import KINDS, Fact, Scope, Subject
from auditor.findings import NotRun, Pass, Resource
from auditor.merge import sort_passes
from auditor.model import Kind

VALUES = st.one_of(st.none(), st.booleans(), st.integers(-1, 4), st.sampled_from(["1", "all", "true", "x", ""]))
FACTS = st.one_of(
    VALUES.map(Fact),
    st.just(Fact(None, not_applicable="no KRaft quorum on a ZooKeeper cluster")),
    st.just(Fact(None, not_applicable="the policy declares no broker_defaults", by_policy=True)),
)
RULES = load_rules()


def facts_of(kind_facts: Mapping[str, str]) -> st.SearchStrategy[dict[str, Fact]]:
    names = sorted(kind_facts)
    return st.dictionaries(st.sampled_from(names), FACTS, max_size=len(names)) if names else st.just({})


def one_by_one(rule: Rule, subjects: list[Subject]) -> Verdicts:
    """The reference: each subject judged on its own, every condition evaluated, kinds in order
    and subjects in name order (stable), as reports list them."""
    verdicts = Verdicts()
    for kind in sorted(dict.fromkeys(rule.resources)):
        checks = [check for check in rule.checks if check.resource == kind]
        for subject in sorted((s for s in subjects if s.resource.kind == kind), key=lambda s: s.resource.name):
            blockers = [not_applicable(facts_read(c.condition), subject) for c in checks]
            runnable = [c for c, blocker in zip(checks, blockers, strict=True) if blocker is None]
            if not runnable:
                first = next(b for b in blockers if b is not None)
                verdicts.not_run.append(NotRun(rule.id, subject.resource, first.not_applicable or "", first.by_policy))
                continue
            found = (judge(rule, c, subject, c.condition.evaluate(subject.facts, rule.params)) for c in runnable)
            finding = next((f for f in found if f is not None), None)
            if finding is not None:
                verdicts.findings.append(finding)
            else:
                verdicts.passes.append(Pass(rule.id, subject.resource, subject.location))
    return verdicts


def not_applicable(names: tuple[str, ...], subject: Subject) -> Fact | None:
    return next((f for n in names if (f := subject.facts.get(n)) and f.not_applicable), None)


@st.composite
def judged(draw: st.DrawFn) -> tuple[Rule, list[Subject]]:
    rule = draw(st.sampled_from(RULES))
    subjects = []
    for kind in dict.fromkeys(rule.resources):
        for n, facts in enumerate(draw(st.lists(facts_of(KINDS[kind].facts), min_size=1, max_size=25))):
            subjects.append(Subject(resource=Resource(kind, f"{kind}-{n}"), facts=facts, scope=Scope()))
    return rule, subjects


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(judged())
def test_outcomes_worked_out_once_are_each_subjects_own(case: tuple[Rule, list[Subject]]) -> None:
    rule, subjects = case
    by_kind: dict[Kind, list[Subject]] = {}
    for subject in subjects:
        by_kind.setdefault(Kind(subject.resource.kind), []).append(subject)
    assert judge_all([rule], by_kind) == one_by_one(rule, subjects)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(judged(), judged())
def test_passes_come_in_report_order(first: tuple[Rule, list[Subject]], second: tuple[Rule, list[Subject]]) -> None:
    """audit_estate keeps judge_all's order of passes (2.5 million at 300,000 partitions) without
    sorting them again: it must be merge.sort_passes's. Names are given as orders-0..24, whose
    name order differs from the order given."""
    assume(first[0].id != second[0].id)  # rule ids are unique (the loader refuses a pack reusing one)
    by_kind: dict[Kind, list[Subject]] = {}
    for subject in first[1] + second[1]:
        by_kind.setdefault(Kind(subject.resource.kind), []).append(subject)
    passes = judge_all([second[0], first[0]], by_kind).passes
    assert passes == sort_passes(passes)


class Counting:
    """A condition that counts its evaluations (reads one fact by name, as every condition does)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = 0

    def evaluate(self, facts: Mapping[str, Fact], params: Mapping[str, Any]) -> Any:
        self.calls += 1
        return self.inner.evaluate(facts, params)

    def comparisons(self) -> Any:
        return self.inner.comparisons()


def test_equal_facts_are_judged_once() -> None:
    from dataclasses import replace

    rule = next(r for r in RULES if r.id == "STO010")  # partitions whose ISR is below their replicas
    counting = Counting(rule.checks[0].condition)
    rule = replace(rule, checks=(replace(rule.checks[0], condition=counting),))  # type: ignore[arg-type]
    partitions = [
        Subject(
            resource=Resource("partition", f"orders-{n}"),
            facts={"isr_count": Fact(2 + n % 2), "replica_count": Fact(3), "topic": Fact("orders")},
            scope=Scope(topic="orders"),
        )
        for n in range(300)
    ]
    verdicts = judge_all([rule], {Kind.PARTITION: partitions})
    assert counting.calls == 2
    assert [f.resource.name for f in verdicts.findings] == sorted(f"orders-{n}" for n in range(0, 300, 2))
    assert len(verdicts.passes) == 150
