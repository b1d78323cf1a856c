"""Pass and fail fixtures of every rule, one module per area; tests/unit/test_rule_cases.py runs them all.

Each module here defines `CASES: list[RuleCase]`. A rule in rules/ without a passing and a
failing case for each kind of resource it targets fails test_every_rule_has_cases, so a new
rule lands with its fixtures: add a module (e.g. produce.py for PRD*) or extend one.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.model import Estate


@dataclass(frozen=True)
class RuleCase:
    """One fixture: the findings `rule` makes on `estate`.

    `outcome` is "pass" (no finding of the rule on resources of `kind`), "fail" or "unknown";
    for the latter two every such finding has that status and `severity`, and when `resources`
    is given they are exactly the resources found. `kind` picks one target of a rule that
    judges several kinds; None means any. `params` tune the rule as a policy file would.
    """

    rule: str
    name: str
    estate: Estate
    outcome: str = "fail"
    severity: str | None = None
    resources: tuple[str, ...] = ()
    kind: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


def passes(rule: str, name: str, estate: Estate, kind: str | None = None) -> RuleCase:
    return RuleCase(rule, name, estate, "pass", kind=kind)


def fails(rule: str, name: str, estate: Estate, severity: str, *resources: str, kind: str | None = None) -> RuleCase:
    return RuleCase(rule, name, estate, "fail", severity, tuple(resources), kind)


def unknown(rule: str, name: str, estate: Estate, severity: str, *resources: str, kind: str | None = None) -> RuleCase:
    return RuleCase(rule, name, estate, "unknown", severity, tuple(resources), kind)


def all_cases() -> list[RuleCase]:
    cases: list[RuleCase] = []
    for module in pkgutil.iter_modules(__path__):
        cases.extend(importlib.import_module(f"{__name__}.{module.name}").CASES)
    return cases
