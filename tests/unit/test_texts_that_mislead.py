"""The texts issue #14 (point 4) found misleading, each rendered from a real judgement and checked.

- STO011 printed broker ids as if they were counts ("ISR 2 of replicas 2");
- STO003 said `expected < 1` for a topic with replication factor 1;
- STO001's fix said `kafka-reassign-partitions --generate` proposes the assignment (it keeps the
  replication factor);
- STO014's fix left `--broker-list ...` for the reader to fill in, a command that cannot be pasted;
- GitHub annotations read "Actual min.insync.replicas acks=all, min.insync.replicas=1".

One RF 1 topic's five findings forming one block is tested in test_terminal_report
(test_related_findings_on_one_topic_form_one_block); `--command-config` in fixes is issue #10's.
"""

from __future__ import annotations

from dataclasses import replace

from auditor.engine import evaluate, load_rules
from auditor.facts import subjects
from auditor.findings import Finding
from auditor.model import ConfigSource, Estate
from auditor.reports import OutputFormat, RenderOptions, render
from auditor.reports.fixtext import commands
from tests.builders import broker, judge_topics, partition, snapshot, topic
from tests.report_fixtures import full_result
from tests.rule_cases import all_cases


def _by_rule(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]


def test_under_min_isr_says_counts_and_broker_ids_apart() -> None:
    shrunk = partition("orders", 0, replicas=(4, 5, 6), isr=(5,))
    (finding,) = _by_rule(judge_topics(topic("orders", parts=[shrunk])), "STO011")
    assert finding.actual == "1 of 3 in sync: ISR [5], replicas [4,5,6]"
    assert finding.expected == ">= 2 in sync"


def test_min_isr_above_a_single_replica_expects_more_replicas_not_less_than_one() -> None:
    found = judge_topics(topic("audit-log", rf=1, min_isr="2", min_isr_source=ConfigSource.TOPIC_OVERRIDE))
    (finding,) = _by_rule(found, "STO003")
    assert finding.actual == "2 (replication factor 1)"
    assert "< 1" not in finding.expected and "< 2" not in finding.expected
    assert finding.expected == "replication factor 3 or more, above min.insync.replicas"


def test_replication_factor_fix_does_not_claim_generate_raises_it() -> None:
    (finding,) = _by_rule(judge_topics(topic("audit-log", rf=1, min_isr="1")), "STO001")
    assert "--generate keeps the current factor" in finding.remediation
    (command,) = commands(finding.remediation)
    assert command.endswith("--reassignment-json-file increase-rf-audit-log.json --execute")
    assert "--generate" not in command


def test_rack_spread_fix_is_a_command_that_can_be_pasted() -> None:
    shared = partition("orders", 0, replicas=(1, 2, 3))  # brokers 1 and 2 share rack a; racks b and c exist
    in_racks = [broker(1, rack="a"), broker(2, rack="a"), broker(3, rack="b"), broker(4, rack="c")]
    cluster = snapshot(topic("orders", parts=[shared]), broker_list=in_racks)
    (finding,) = _by_rule(evaluate(load_rules(), subjects(Estate(cluster=cluster))), "STO014")
    (command,) = commands(finding.remediation)
    assert command == (
        "kafka-reassign-partitions.sh --bootstrap-server 127.0.0.1:9092 --topics-to-move-json-file topics.json "
        "--broker-list 1,2,3,4 --generate"
    )
    assert "..." not in finding.remediation


def test_github_annotation_says_the_values_once() -> None:
    case = next(c for c in all_cases() if c.rule == "E2E001" and c.outcome == "fail")
    (finding,) = _by_rule(evaluate(load_rules(), subjects(case.estate)), "E2E001")
    text = render(replace(full_result(), findings=(finding,)), OutputFormat.GITHUB, RenderOptions())
    assert "Actual min.insync.replicas" not in text and "min.insync.replicas=acks=all" not in text
    assert f"Actual: {finding.actual}" in text
    assert finding.actual.startswith("acks=all, min.insync.replicas=")
