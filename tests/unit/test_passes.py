"""The engine records which (rule, resource) pairs passed, so report totals mean something."""

from __future__ import annotations

import json

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.model import ClusterSnapshot, Estate, Target, TargetKind
from auditor.reports import OutputFormat, render
from tests.builders import snapshot, topic
from tests.report_schema import assert_valid_report


def cluster_target(snap: ClusterSnapshot) -> Target:
    return Target(TargetKind.CLUSTER, snap.bootstrap, "kafka")


def test_every_rule_and_topic_pair_is_a_finding_or_a_pass_exactly_once() -> None:
    rules = load_rules()
    topic_rules = [r for r in rules if "topic" in r.resources]
    snap = snapshot(topic("orders", rf=1, min_isr="1"), topic("clean"), topic("unclean", unclean="true"))
    result = audit_estate(Estate(cluster=snap), (cluster_target(snap),), rules, AuditOptions())

    judged = [(f.rule_id, f.resource.name) for f in result.findings if f.resource.kind == "topic"]
    judged += [(p.rule_id, p.resource.name) for p in result.passes if p.resource.kind == "topic"]
    assert sorted(judged) == sorted((r.id, t.name) for r in topic_rules for t in snap.topics)
    assert ("STO001", "clean") in {(p.rule_id, p.resource.name) for p in result.passes}
    assert {r.id for r in result.rules} == {r.id for r in rules}


def test_json_report_carries_passes_and_rules() -> None:
    rules = load_rules()
    snap = snapshot(topic("clean"))
    result = audit_estate(Estate(cluster=snap), (cluster_target(snap),), rules, AuditOptions())
    document = json.loads(render(result, OutputFormat.JSON))
    assert_valid_report(document)
    assert document["findings"] == []
    topic_passes = [p for p in document["passed"] if p["resource"]["kind"] == "topic"]
    assert len(topic_passes) == len([r for r in rules if "topic" in r.resources])
    assert document["rules"][0]["id"] == rules[0].id and document["rules"][0]["rationale"]
