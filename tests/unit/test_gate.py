"""The exit-code gate of docs/architecture.md ("Exit codes"), table-driven."""

from __future__ import annotations

import pytest

from auditor.findings import Finding, Location, Resource, Severity, Stage, Status
from auditor.policy import exit_code


def finding(severity: str, status: str = "fail") -> Finding:
    return Finding(
        rule_id="STO002",
        rule_name="n",
        title="t",
        stage=Stage.STORE,
        severity=Severity(severity),
        status=Status(status),
        resource=Resource("topic", "orders"),
        config_key=None,
        actual="1",
        actual_source=None,
        expected=">= 2",
        message="m",
        remediation="r",
        location=Location("x"),
    )


@pytest.mark.parametrize(
    ("findings", "gaps", "fail_on", "fail_on_gaps", "exit_zero", "expected"),
    [
        ([], False, "high", False, False, 0),
        ([finding("high")], False, "high", False, False, 1),
        ([finding("critical")], False, "high", False, False, 1),
        ([finding("medium")], False, "high", False, False, 0),
        ([finding("medium")], False, "medium", False, False, 1),
        ([finding("info")], False, "info", False, False, 1),
        ([finding("critical")], False, None, False, False, 0),
        ([finding("high", "unknown")], False, "high", False, False, 1),
        ([finding("critical", "waived")], False, "high", False, False, 0),
        ([finding("high")], False, "high", False, True, 0),
        ([], True, "high", False, False, 0),
        ([], True, "high", True, False, 4),
        ([finding("high")], True, "high", True, False, 1),
        ([finding("high")], True, "high", True, True, 4),
        ([finding("low")], True, "high", True, False, 4),
    ],
)
def test_exit_code(
    findings: list[Finding], gaps: bool, fail_on: str | None, fail_on_gaps: bool, exit_zero: bool, expected: int
) -> None:
    threshold = Severity(fail_on) if fail_on else None
    code = exit_code(findings, has_gaps=gaps, fail_on=threshold, fail_on_gaps=fail_on_gaps, exit_zero=exit_zero)
    assert code == expected
