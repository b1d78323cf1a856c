"""The retention shares a live collection probes come from the rules' thresholds, as tuned."""

from __future__ import annotations

from dataclasses import replace

from auditor.engine import load_rules
from auditor.engine.probes import retention_shares
from auditor.policyfile import Policy, RuleTuning


def test_the_built_in_rules_probe_grp002s_threshold() -> None:
    assert retention_shares(load_rules()) == (80,)


def test_a_policy_param_moves_the_probe() -> None:
    tuned = Policy(rules={"GRP002": RuleTuning(params={"max_retention_percent": 60.5})}).tune(load_rules())
    assert retention_shares(tuned) == (60.5,)


def test_a_rule_turned_off_probes_nothing() -> None:
    assert retention_shares(Policy(rules={"GRP002": RuleTuning(off=True)}).tune(load_rules())) == ()


def test_literal_thresholds_and_severity_cases_are_probed_once_each() -> None:
    (rule,) = [r for r in load_rules() if r.id == "GRP002"]
    (check,) = rule.checks
    spec = {
        **check.spec,
        "severity_cases": [{"when": {"fact": "retention_used_percent_min", "op": "ge", "value": 95}}],
        "condition": {"any": [check.spec["condition"], {"fact": "retention_used_percent", "op": "gt", "value": 80}]},
    }
    assert retention_shares([replace(rule, checks=(replace(check, spec=spec),))]) == (80, 95)
