"""Every rule against its pass and fail fixtures (tests/rule_cases), one parametrised test."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from functools import cache

import pytest

from auditor.engine import Rule, evaluate_all, load_rules
from auditor.facts import subjects
from auditor.findings import Finding, Pass
from auditor.merge import sort_findings
from tests.rule_cases import RuleCase, all_cases, passes
from tests.rule_cases.store import GOOD_FILE, files

CASES = all_cases()


@cache
def rules_by_key() -> dict[str, Rule]:
    rules = load_rules()
    return {**{r.id: r for r in rules}, **{r.name: r for r in rules}}


def judged(case: RuleCase) -> tuple[list[Finding], list[Pass]]:
    """What the rule the case names (tuned by the case's params, as a policy file would) made of its
    estate, on resources of the case's kind: nothing at all when the rule is not in the catalog."""
    rule = rules_by_key().get(case.rule)
    if rule is not None and case.params:
        rule = replace(rule, params={**rule.params, **case.params})
    found, passed = evaluate_all([rule] if rule else [], subjects(case.estate))
    return (
        sort_findings([f for f in found if case.kind is None or f.resource.kind == case.kind]),
        [p for p in passed if case.kind is None or p.resource.kind == case.kind],
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}-{c.name}")
def test_rule_case(case: RuleCase) -> None:
    found, passed = judged(case)
    if case.outcome == "pass":
        assert found == [], [(str(f.resource), f.status.value, f.actual) for f in found]
        assert passed, f"{case.rule} judged nothing here: a pass case must be a Pass of the rule, not an absence"
        return
    assert found, f"{case.rule} found nothing"
    assert {(f.status.value, f.severity.value) for f in found} == {(case.outcome, case.severity)}
    if case.resources:
        assert sorted(f.resource.name for f in found) == sorted(case.resources)
    for f in found:
        assert "{" not in f.message + f.remediation + f.actual + f.expected, "unfilled placeholder"


def test_every_rule_has_cases() -> None:
    """Each kind a rule judges needs a case where it passed and one where it found: counted from
    what the engine judged, so a case that judges nothing covers nothing."""
    covered: dict[tuple[str, str], set[str]] = defaultdict(set)
    for case in CASES:
        found, passed = judged(case)
        for kind in {p.resource.kind for p in passed} if case.outcome == "pass" else {f.resource.kind for f in found}:
            rule_id = rules_by_key()[case.rule].id  # judged something, so the rule exists
            covered[(rule_id, kind)].add("pass" if case.outcome == "pass" else "fail")
    missing = [
        f"{rule.id} on {kind}: {outcome}"
        for rule in load_rules()
        for kind in dict.fromkeys(rule.resources)
        for outcome in ("pass", "fail")
        if outcome not in covered[(rule.id, kind)]
    ]
    assert not missing, f"rules without fixtures: {missing}"


def test_sto022_judges_nothing_when_the_policy_declares_no_broker_defaults() -> None:
    """Without broker_defaults there is nothing to contradict: STO022 neither passes nor finds.
    It passed every broker, even one whose configs were refused (test_collect_secure)."""
    found, passed = judged(passes("STO022", "nothing-declared", files(GOOD_FILE)))
    assert (found, passed) == ([], [])
