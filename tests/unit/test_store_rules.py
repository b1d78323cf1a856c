"""The topic rules (STO001-STO004) on snapshot fixtures: one line per case."""

from __future__ import annotations

import pytest

from auditor.model import ConfigSource, Topic
from tests.builders import judge_topics, topic


def findings_of(t: Topic) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.severity.value, f.status.value) for f in judge_topics(t)}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (topic("clean"), set()),
        (
            topic("rf1", rf=1, min_isr="1"),
            {("STO001", "critical", "fail"), ("STO002", "high", "fail"), ("STO003", "medium", "fail")},
        ),
        (topic("rf2", rf=2, min_isr="1"), {("STO001", "high", "fail"), ("STO002", "high", "fail")}),
        (topic("minisr1", min_isr="1"), {("STO002", "high", "fail")}),
        (topic("minisr-eq-rf", min_isr="3"), {("STO003", "medium", "fail")}),
        (topic("minisr-gt-rf", min_isr="4"), {("STO003", "critical", "fail")}),
        (topic("unclean", unclean="true"), {("STO004", "critical", "fail")}),
        (topic("unclean-mixed-case", unclean=" TRUE "), {("STO004", "critical", "fail")}),
        (topic("rf4", rf=4, min_isr="2"), set()),
        (topic("internal-rf1", rf=1, min_isr="1", internal=True), set()),
        (topic("minisr-unreadable", min_isr=None), {("STO002", "high", "unknown"), ("STO003", "medium", "unknown")}),
        (topic("minisr-garbage", min_isr="two"), {("STO002", "high", "unknown"), ("STO003", "medium", "unknown")}),
        (topic("unclean-unreadable", unclean=None), {("STO004", "critical", "unknown")}),
    ],
    ids=lambda value: value.name if isinstance(value, Topic) else "",
)
def test_topic_rules(case: Topic, expected: set[tuple[str, str, str]]) -> None:
    assert findings_of(case) == expected


def test_finding_names_value_source_and_exact_fix() -> None:
    (finding,) = judge_topics(topic("orders", min_isr="1", min_isr_source=ConfigSource.TOPIC_OVERRIDE))
    assert finding.rule_id == "STO002"
    assert (finding.resource.kind, finding.resource.name) == ("topic", "orders")
    assert finding.actual == "1"
    assert finding.actual_source == "topic override"
    assert finding.expected == ">= 2"
    assert finding.config_key == "min.insync.replicas"
    assert "--entity-name orders --add-config min.insync.replicas=2" in finding.remediation
    assert "--bootstrap-server 127.0.0.1:9092" in finding.remediation


def test_fingerprint_is_stable_and_ignores_values() -> None:
    (a,) = judge_topics(topic("orders", min_isr="1"))
    (b,) = judge_topics(topic("orders", min_isr="0"))
    (c,) = judge_topics(topic("payments", min_isr="1"))
    assert a.fingerprint == b.fingerprint
    assert a.fingerprint != c.fingerprint
