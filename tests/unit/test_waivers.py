"""Waivers: applied with their reason, expiry by date, malformed dates, unused, regexes, names."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.errors import InputError
from auditor.model import Estate
from auditor.policyfile import Policy, rule_index
from auditor.reports import OutputFormat, render
from auditor.result import AuditResult
from auditor.waivers import load_waivers_file
from tests.builders import snapshot, topic
from tests.policy_builders import policy, write
from tests.report_schema import assert_valid_report

ESTATE = Estate(cluster=snapshot(topic("orders", min_isr="1"), topic("orders-eu", min_isr="1"), topic("clean")))
WAIVERS = """
waivers:
  - rule: STO002
    resource: orders
    reason: migration to min ISR 2 scheduled (JIRA-12)
    owner: team-orders
    expires: 2026-06-30
  - rule: min-insync-replicas
    resource_regex: "orders-.*"
    reason: regional copies, replayable
    owner: team-eu
    expires: 2026-03-01
  - rule: STO004
    resource: payments
    reason: no longer exists
    owner: team-payments
    expires: 2027-01-01
  - rule: STO002
    kind: topic
    resource: clean
    reason: date typo
    owner: team-x
    expires: 30/06/2026
"""


def run(p: Policy, today: date) -> AuditResult:
    return audit_estate(ESTATE, (), load_rules(), AuditOptions(policy=p, today=today))


def statuses(result: AuditResult) -> dict[str, str]:
    return {f.resource.name: f.status.value for f in result.findings if f.rule_id == "STO002"}


def test_waived_finding_stays_with_reason_and_does_not_gate(tmp_path: Path) -> None:
    result = run(policy(tmp_path, WAIVERS), date(2026, 2, 1))
    assert statuses(result) == {"orders": "waived", "orders-eu": "waived"}
    waived = next(f for f in result.findings if f.resource.name == "orders")
    assert waived.waiver_reason == "migration to min ISR 2 scheduled (JIRA-12)"
    assert result.exit_code == 0


def test_expired_waiver_stops_applying_and_is_reported(tmp_path: Path) -> None:
    result = run(policy(tmp_path, WAIVERS), date(2026, 3, 2))  # the day after the regex waiver's date
    assert statuses(result) == {"orders": "waived", "orders-eu": "fail"}
    assert result.exit_code == 1
    fates = {(u.waiver.rule_id, u.waiver.resource_text): (u.status, u.matched) for u in result.waivers}
    assert fates == {
        ("STO002", "orders"): ("applied", 1),
        ("STO002", "/orders-.*/"): ("expired", 1),
        ("STO004", "payments"): ("unused", 0),
        ("STO002", "topic clean"): ("expired", 0),  # a malformed date counts as expired
    }


def test_waiver_valid_through_its_date(tmp_path: Path) -> None:
    assert statuses(run(policy(tmp_path, WAIVERS), date(2026, 3, 1)))["orders-eu"] == "waived"


def test_json_report_lists_waivers_and_waived_findings(tmp_path: Path) -> None:
    document = json.loads(render(run(policy(tmp_path, WAIVERS), date(2026, 3, 2)), OutputFormat.JSON))
    assert_valid_report(document)
    assert {w["status"] for w in document["waivers"]} == {"applied", "expired", "unused"}
    orders = next(f for f in document["findings"] if f["resource"]["name"] == "orders" and f["rule_id"] == "STO002")
    assert (orders["status"], orders["waiver_reason"]) == ("waived", "migration to min ISR 2 scheduled (JIRA-12)")
    assert document["summary"]["by_status"] == {"fail": 1, "waived": 1}


def test_table_report_shows_waived_reason_and_expired_waivers(tmp_path: Path) -> None:
    text = render(run(policy(tmp_path, WAIVERS), date(2026, 3, 2)), OutputFormat.TABLE)
    assert "waived: migration to min ISR 2 scheduled" in text
    assert "waiver expired: STO002 /orders-.*/" in text
    assert "waiver unused: STO004 payments" in text


def test_waivers_file_list_or_mapping(tmp_path: Path) -> None:
    ids = {k: r.id for k, r in rule_index(load_rules()).items()}
    as_mapping = load_waivers_file(write(tmp_path, WAIVERS, "w.yaml"), ids)
    as_list = load_waivers_file(write(tmp_path, WAIVERS.replace("waivers:\n", ""), "l.yaml"), ids)
    assert [w.rule_id for w in as_mapping] == [w.rule_id for w in as_list] == ["STO002", "STO002", "STO004", "STO002"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {rule: STO002, resource: a, owner: o, expires: 2026-01-01}", "waiver needs 'reason'"),
        ("  - {rule: STO002, resource: a, reason: r, expires: 2026-01-01}", "waiver needs 'owner'"),
        ("  - {rule: STO002, resource: a, reason: r, owner: o}", "waiver needs 'expires'"),
        ("  - {rule: STO002, reason: r, owner: o, expires: 2026-01-01}", "exactly one of 'resource'"),
        ("  - {rule: STO999, resource: a, reason: r, owner: o, expires: 2026-01-01}", "unknown rule 'STO999'"),
        ("  - {rule: STO002, topic: a, reason: r, owner: o, expires: 2026-01-01}", "unknown waiver key 'topic'"),
        ("  - {rule: STO002, resource_regex: '(', reason: r, owner: o, expires: 2026-01-01}", "invalid regex"),
    ],
)
def test_invalid_waiver_is_exit_2_with_line(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as raised:
        policy(tmp_path, f"fail_on: high\nwaivers:\n{entry}\n")
    assert ".kafka-audit.yaml:3:" in str(raised.value)
