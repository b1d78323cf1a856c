from __future__ import annotations

import dataclasses
import json

import pytest

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.findings import Severity
from auditor.model import CoverageGap, Estate, Target, TargetKind
from auditor.reports import OutputFormat, RenderOptions, render
from auditor.result import AuditResult
from tests.builders import judge_topics, snapshot, topic
from tests.report_schema import assert_valid_report


def result(gaps: tuple[CoverageGap, ...] = ()) -> AuditResult:
    snap = snapshot(topic("orders", rf=1, min_isr="1"), topic("payments", unclean="true"), topic("clean"))
    return AuditResult(
        tool_version="0.1.0",
        started_at="2026-01-01T00:00:00+00:00",
        duration_ms=12,
        fail_on=Severity.HIGH,
        exit_code=1,
        targets=(Target(TargetKind.CLUSTER, snap.bootstrap, "kafka"),),
        findings=tuple(judge_topics(*snap.topics)),
        gaps=gaps,
    )


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_is_wired(fmt: OutputFormat) -> None:
    assert render(result(), fmt).strip()


def test_json_report_follows_schema_and_counts() -> None:
    document = json.loads(
        render(result((CoverageGap("topic secret", "TopicAuthorizationFailedError"),)), OutputFormat.JSON)
    )
    assert_valid_report(document)
    assert document["summary"] == {
        "findings": 4,
        "by_severity": {"critical": 2, "high": 1, "medium": 1},
        "by_stage": {"store": 4},
        "by_status": {"fail": 4},
        "assumed_client_versions": [],  # every client's version told (here: no client at all)
    }
    assert document["coverage"] == {
        "complete": False,
        "gaps": [{"resource": "topic secret", "reason": "TopicAuthorizationFailedError"}],
    }
    assert {(f["rule_id"], f["resource"]["name"]) for f in document["findings"]} == {
        ("STO001", "orders"),
        ("STO002", "orders"),
        ("STO003", "orders"),
        ("STO004", "payments"),
    }
    assert document["run"]["exit_code"] == 1


def test_table_shows_value_source_expected_and_fix() -> None:
    text = render(result(), OutputFormat.TABLE)
    assert "kafka-cluster/topic/payments  STO004 critical" in text
    assert "Kafka default" in text
    assert "--entity-name payments" in text
    assert "4 findings: 2 critical, 1 high, 1 medium" in text
    assert "\x1b[" not in text


def test_table_lists_gaps() -> None:
    text = render(result((CoverageGap("topic secret", "not authorised"),)), OutputFormat.TABLE)
    assert "not audited: topic secret: not authorised" in text
    assert "coverage 1 gap(s)" in text


def test_long_commands_are_printed_whole_on_their_own_line() -> None:
    long_bootstrap = ",".join(f"broker-{n}.kafka.internal.example.com:9093" for n in range(1, 7))
    cluster = dataclasses.replace(snapshot(topic("orders", min_isr="1")), bootstrap=long_bootstrap)
    findings = judge(Estate(cluster=cluster), load_rules())
    shown = dataclasses.replace(result(), findings=tuple(findings))
    text = render(shown, OutputFormat.TABLE, RenderOptions(width=80))
    assert "…" not in text
    command = f"kafka-configs.sh --bootstrap-server {long_bootstrap} --alter"
    assert any(line.strip().removeprefix("fix: ").startswith(command) for line in text.splitlines())
    wide = render(shown, OutputFormat.TABLE, RenderOptions(width=80, wide=True))
    squeezed = "".join(ch for ch in wide if ch not in "│ \n")
    assert f"--bootstrap-server{long_bootstrap}--alter" in squeezed
