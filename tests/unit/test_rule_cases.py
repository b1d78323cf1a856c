"""Every rule against its pass and fail fixtures (tests/rule_cases), one parametrised test."""

from __future__ import annotations

from collections import defaultdict
from functools import cache

import pytest

from auditor.audit import judge
from auditor.engine import Rule, load_rules
from tests.rule_cases import RuleCase, all_cases

CASES = all_cases()


@cache
def rules_by_key() -> dict[str, Rule]:
    rules = load_rules()
    return {**{r.id: r for r in rules}, **{r.name: r for r in rules}}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}-{c.name}")
def test_rule_case(case: RuleCase) -> None:
    rule = rules_by_key()[case.rule]
    found = [f for f in judge(case.estate, [rule]) if case.kind is None or f.resource.kind == case.kind]
    if case.outcome == "pass":
        assert found == [], [(str(f.resource), f.status.value, f.actual) for f in found]
        return
    assert found, f"{rule.id} found nothing"
    assert {(f.status.value, f.severity.value) for f in found} == {(case.outcome, case.severity)}
    if case.resources:
        assert sorted(f.resource.name for f in found) == sorted(case.resources)
    for f in found:
        assert "{" not in f.message + f.remediation + f.actual + f.expected, "unfilled placeholder"


def test_every_rule_has_cases() -> None:
    covered: dict[tuple[str, str], set[str]] = defaultdict(set)
    for case in CASES:
        rule = rules_by_key()[case.rule]
        kinds = [case.kind] if case.kind else list(dict.fromkeys(rule.resources))
        if case.outcome != "pass" and case.kind is None:  # count the kinds it really exercises
            kinds = [f.resource.kind for f in judge(case.estate, [rule])]
        for kind in kinds:
            covered[(rule.id, kind)].add("pass" if case.outcome == "pass" else "fail")
    missing = [
        f"{rule.id} on {kind}: {outcome}"
        for rule in load_rules()
        for kind in dict.fromkeys(rule.resources)
        for outcome in ("pass", "fail")
        if outcome not in covered[(rule.id, kind)]
    ]
    assert not missing, f"rules without fixtures: {missing}"
