"""The retention shares a live collection probes come from the rules' thresholds, as tuned."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from auditor.engine import load_rules
from auditor.engine.conditions import AnyOf, Condition, Not, parse_condition
from auditor.engine.probes import retention_shares
from auditor.engine.rules import SeverityCase
from auditor.facts import KINDS
from auditor.findings import Severity
from auditor.model import Kind
from auditor.policyfile import Policy, RuleTuning


def test_the_built_in_rules_probe_grp002s_threshold() -> None:
    assert retention_shares(load_rules()) == (80,)


def test_a_policy_param_moves_the_probe() -> None:
    tuned = Policy(rules={"GRP002": RuleTuning(params={"max_retention_percent": 60.5})}).tune(load_rules())
    assert retention_shares(tuned) == (60.5,)


def test_a_rule_turned_off_probes_nothing() -> None:
    assert retention_shares(Policy(rules={"GRP002": RuleTuning(off=True)}).tune(load_rules())) == ()


def group_condition(spec: dict[str, Any]) -> Condition:
    return parse_condition(spec, KINDS[Kind.GROUP].facts, {})


def test_literal_thresholds_and_severity_cases_are_probed_once_each() -> None:
    (rule,) = [r for r in load_rules() if r.id == "GRP002"]
    (check,) = rule.checks
    literal = group_condition({"fact": "retention_used_percent", "op": "gt", "value": 80})
    case = SeverityCase(group_condition({"fact": "retention_used_percent_min", "op": "ge", "value": 95}), Severity.HIGH)
    tuned = replace(check, condition=AnyOf((check.condition, Not(literal))), severity_cases=(case,))
    assert retention_shares([replace(rule, checks=(tuned,))]) == (80, 95)
