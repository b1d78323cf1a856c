"""What a store finding says: resource, value, source, the exact fix, a stable fingerprint.

The pass/fail fixtures of every rule are in tests/rule_cases."""

from __future__ import annotations

from auditor.model import ConfigSource
from tests.builders import judge_topics, topic


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
