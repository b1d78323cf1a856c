"""What the rules' thresholds ask a live collection to measure.

A group's time lag against retention.ms is exact only at the shares that were probed (the offset
at now - p% of retention.ms, see auditor.sources.live.groups): the shares to probe are the
thresholds that the rules, as tuned by the policy, compare a retention-share fact with.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from auditor.engine.rules import Rule
from auditor.facts.group import SHARE_FACTS
from auditor.model import Kind


def retention_shares(rules: Iterable[Rule]) -> tuple[float, ...]:
    """Every positive threshold (a number, or a param of the rule) a group check compares a
    retention-share fact with, in its condition or its severity cases; sorted, each once."""
    found: set[float] = set()
    for rule in rules:
        for check in rule.checks:
            if check.resource is Kind.GROUP:
                found.update(_thresholds(check.spec, rule.params))
    return tuple(sorted(found))


def _thresholds(spec: Any, params: Mapping[str, Any]) -> Iterator[float]:
    if isinstance(spec, list):
        for item in spec:
            yield from _thresholds(item, params)
    elif isinstance(spec, Mapping):
        if spec.get("fact") in SHARE_FACTS:
            value = spec.get("value")
            if isinstance(value, Mapping):
                value = params.get(str(value.get("param")))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                yield value
        for item in spec.values():
            yield from _thresholds(item, params)
