"""Fixtures of the client-config rules (PRD*, CON*), taken from tests/unit/test_client_rules.py.

That file lists, per client configuration, every finding the built-in rules make; here each
entry becomes a pass or fail case of each producer/consumer rule, so the coverage test sees them.
"""

from __future__ import annotations

from auditor.engine import load_rules
from auditor.model import Estate
from tests.rule_cases import RuleCase
from tests.unit.test_client_rules import CASES as CLIENT_CASES

CLIENT_KINDS = ("producer", "consumer")


def _cases() -> list[RuleCase]:
    rule_ids = [r.id for r in load_rules() if set(r.resources) & set(CLIENT_KINDS)]
    cases = []
    for name, config, expected in CLIENT_CASES:
        estate = Estate(clients=(config,))
        for rule_id in rule_ids:
            found = {(severity, status) for rid, severity, status, _line in expected if rid == rule_id}
            if not found:
                cases.append(RuleCase(rule_id, name, estate, "pass"))
            for severity, status in found:
                cases.append(RuleCase(rule_id, name, estate, status, severity))
    return cases


CASES = _cases()
