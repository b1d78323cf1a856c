"""What the rules' thresholds ask a live collection to measure.

A group's time lag against retention.ms is exact only at the shares that were probed (the offset
at now - p% of retention.ms, see auditor.sources.live.groups): the shares to probe are the
thresholds that the rules, as tuned by the policy, compare a retention-share fact with.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from auditor.engine.conditions import Literal, ParamRef
from auditor.engine.rules import Check, Rule
from auditor.facts.group import SHARE_FACTS
from auditor.model import Kind


def retention_shares(rules: Iterable[Rule]) -> tuple[float, ...]:
    """Every positive threshold (a number, or a param of the rule) a group check compares a
    retention-share fact with, in its condition or its severity cases; sorted, each once."""
    found: set[float] = set()
    for rule in rules:
        for check in rule.checks:
            if check.resource is Kind.GROUP:
                found.update(_thresholds(check, rule.params))
    return tuple(sorted(found))


def _thresholds(check: Check, params: Mapping[str, Any]) -> Iterator[float]:
    conditions = [check.condition, *(case.when for case in check.severity_cases)]
    for compare in (c for condition in conditions for c in condition.comparisons()):
        if compare.fact.name not in SHARE_FACTS or not isinstance(compare.value, (Literal, ParamRef)):
            continue
        value = compare.value.resolve({}, params)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            yield value
