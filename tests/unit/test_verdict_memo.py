"""Judging equal facts once never changes a verdict: the memo against the condition itself.

Every check of every built-in rule is judged on random subjects of its kind (fact values from
small domains, so that subjects repeat and the memo is used, with facts left out and None for
unknown), first through one Memo for the whole sequence, then by calling the condition; the
verdicts must be the same, subject by subject.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.engine import load_rules
from auditor.engine.memo import Memo
from auditor.facts import KINDS, Fact

VALUES = st.one_of(st.none(), st.booleans(), st.integers(-1, 4), st.sampled_from(["1", "all", "true", "x", ""]))
CHECKS = [(rule, check) for rule in load_rules() for check in rule.checks]


def facts_of(kind_facts: Mapping[str, str]) -> st.SearchStrategy[dict[str, Fact]]:
    names = sorted(kind_facts)
    return st.dictionaries(st.sampled_from(names), VALUES.map(Fact), max_size=len(names)) if names else st.just({})


@dataclass(frozen=True)
class Evaluates:
    """A hand-written condition: a function of (facts, params)."""

    function: Callable[[Mapping[str, Fact], Mapping[str, Any]], bool]

    def evaluate(self, facts: Mapping[str, Fact], params: Mapping[str, Any]) -> bool:
        return self.function(facts, params)


@st.composite
def judged(draw: st.DrawFn) -> tuple[Any, Any, list[dict[str, Fact]]]:
    rule, check = draw(st.sampled_from(CHECKS))
    subjects = draw(st.lists(facts_of(KINDS[check.resource].facts), min_size=1, max_size=25))
    return rule, check, subjects


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(judged())
def test_memoised_verdicts_are_the_conditions_verdicts(case: tuple[Any, Any, list[dict[str, Fact]]]) -> None:
    rule, check, subjects = case
    memo = Memo(check.condition, rule.params)
    assert [memo.verdict(f) for f in subjects] == [check.condition.evaluate(f, rule.params) for f in subjects]


def test_a_condition_that_reads_every_fact_is_not_memoised() -> None:
    calls = []

    def counting(facts: Mapping[str, Fact], params: Mapping[str, Any]) -> bool:
        calls.append(1)
        return len(facts) > 1

    memo = Memo(Evaluates(counting), {})
    assert [memo.verdict({"a": Fact(1)}), memo.verdict({"a": Fact(1), "b": Fact(2)})] == [False, True]
    assert len(calls) == 2


def test_equal_facts_are_judged_once() -> None:
    calls = []

    def isr_short(facts: Mapping[str, Fact], params: Mapping[str, Any]) -> bool:
        calls.append(1)
        isr = facts.get("isr_count")
        return isr is not None and isinstance(isr.value, int) and isr.value < 2

    memo = Memo(Evaluates(isr_short), {})
    verdicts = [memo.verdict({"isr_count": Fact(n % 3), "topic": Fact(f"t{n}")}) for n in range(300)]
    assert verdicts == [n % 3 < 2 for n in range(300)]
    assert len(calls) == 3
