"""A value that was not read is never a pass: for each kind of live subject, the read that feeds
it fails (a coverage gap, as the collector records it), and every rule that passed on the
healthy cluster and reads what is now missing must say `unknown`.

The bug this guards against: an empty list standing for "not read" (OffsetFetch failed, so the
group had no committed offsets) judged as "nothing wrong" (GRP001 passed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace

import pytest

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import judge_all, load_rules
from auditor.engine.conditions import facts_read
from auditor.facts import Fact, subjects
from auditor.findings import Status
from auditor.model import CONTROLLER_QUORUM, ClusterSnapshot, CoverageGap, Estate, Kind, NotApplicable
from auditor.reports import Detail, OutputFormat, RenderOptions, render
from auditor.reports.load import result_from_document
from auditor.result import AuditResult
from auditor.sources.snapshot import decode, encode, parse
from auditor.sources.snapshot_document import ENCODER
from tests.builders import group, offset, snapshot, topic

RETENTION_MS = "604800000"
DAY_MS = 86_400_000


def healthy() -> ClusterSnapshot:
    """Every live rule passes on it (asserted below): three racked brokers, durable topics, a
    group one day behind on a week of retention."""
    return snapshot(
        topic("orders", retention_ms=RETENTION_MS, partitions=2),
        topic("payments", retention_ms=RETENTION_MS),
        groups=[group("billing", offset(50, 0, 100, age_ms=DAY_MS), offset(10, 0, 20, index=1, age_ms=DAY_MS))],
    )


def broker_configs_not_read(cluster: ClusterSnapshot) -> ClusterSnapshot:
    brokers = tuple(replace(b, configs={}) for b in cluster.brokers)
    reason = "configuration not read: ClusterAuthorizationFailedError"
    gaps = tuple(CoverageGap(f"broker {b.id}", reason) for b in brokers)
    return replace(cluster, brokers=brokers, gaps=gaps)


def topic_configs_not_read(cluster: ClusterSnapshot) -> ClusterSnapshot:
    reason = "configs not read: TopicAuthorizationFailedError"
    gaps = tuple(CoverageGap(f"topic {t.name}", reason) for t in cluster.topics)
    return replace(cluster, topics=tuple(replace(t, configs={}) for t in cluster.topics), gaps=gaps)


def quorum_not_read(cluster: ClusterSnapshot) -> ClusterSnapshot:
    return replace(cluster, quorum=None, gaps=(CoverageGap("controller quorum", "not read: timed out"),))


def group_offsets_not_read(cluster: ClusterSnapshot) -> ClusterSnapshot:
    reason = "committed offsets not read: UnsupportedVersionError"
    groups = tuple(replace(g, offsets=(), offsets_unread=reason) for g in cluster.groups)
    return replace(cluster, groups=groups, gaps=tuple(CoverageGap(f"group {g.id}", reason) for g in groups))


def one_group_offset_not_read(cluster: ClusterSnapshot) -> ClusterSnapshot:
    reason = "committed offset of orders-1 not read"
    groups = tuple(replace(g, offsets=g.offsets[:1], offsets_unread=reason) for g in cluster.groups)
    return replace(cluster, groups=groups, gaps=(CoverageGap("group billing on orders-1", reason),))


GAPS: dict[str, tuple[Kind, Callable[[ClusterSnapshot], ClusterSnapshot]]] = {
    "broker configs": (Kind.BROKER, broker_configs_not_read),
    "topic configs (topic rules)": (Kind.TOPIC, topic_configs_not_read),
    "topic configs (partition rules)": (Kind.PARTITION, topic_configs_not_read),
    "controller quorum": (Kind.CLUSTER, quorum_not_read),
    "group offsets": (Kind.GROUP, group_offsets_not_read),
    "one partition's group offset": (Kind.GROUP, one_group_offset_not_read),
}

RULES = load_rules()


def verdicts(cluster: ClusterSnapshot, kind: Kind) -> dict[tuple[str, str], Status | None]:
    """(rule, resource) -> FAIL/UNKNOWN, or None for a pass, for the rules judging `kind`."""
    judged = judge_all([r for r in RULES if kind in r.resources], {kind: list(subjects(Estate(cluster=cluster))[kind])})
    out: dict[tuple[str, str], Status | None] = {(p.rule_id, p.resource.name): None for p in judged.passes}
    out.update({(f.rule_id, f.resource.name): f.status for f in judged.findings})
    return out


def changed_facts(before: ClusterSnapshot, after: ClusterSnapshot, kind: Kind) -> dict[str, set[str]]:
    """resource -> the facts whose value the gap changed."""
    old = {s.resource.name: s.facts for s in subjects(Estate(cluster=before))[kind]}
    changed: dict[str, set[str]] = {}
    for subject in subjects(Estate(cluster=after))[kind]:
        facts = old.get(subject.resource.name, {})
        changed[subject.resource.name] = {n for n, f in subject.facts.items() if n not in facts or facts[n] != f}
    return changed


@pytest.mark.parametrize("gap", GAPS, ids=list(GAPS))
def test_a_rule_reading_what_was_not_read_is_unknown(gap: str) -> None:
    kind, make_gap = GAPS[gap]
    before = healthy()
    after = make_gap(before)
    assert after.gaps, "the gap is recorded"
    passed_before = {key for key, status in verdicts(before, kind).items() if status is None}
    assert passed_before, f"no {kind} rule passes on the healthy cluster: the test proves nothing"
    changed = changed_facts(before, after, kind)
    healthy_facts = {s.resource.name: s.facts for s in subjects(Estate(cluster=before))[kind]}
    now = verdicts(after, kind)
    judged = 0
    for rule_id, resource in sorted(passed_before):
        missing = changed.get(resource, set())
        if not needs(rule_id, kind, healthy_facts[resource], missing):
            continue  # decided by what was still read (three-valued logic: false and unknown is false)
        judged += 1
        assert now[rule_id, resource] is Status.UNKNOWN, f"{rule_id} on {resource} after '{gap}' not read"
    assert judged, f"no rule needs what '{gap}' provides"


def needs(rule_id: str, kind: Kind, facts: Mapping[str, Fact], missing: set[str]) -> bool:
    """Whether the rule's verdict on the healthy facts depends on the `missing` ones: with them
    unknown, its condition is no longer decided."""
    rule = next(r for r in RULES if r.id == rule_id)
    unread = {name: (Fact(None) if name in missing else fact) for name, fact in facts.items()}
    return any(
        set(facts_read(c.condition)) & missing and c.condition.evaluate(unread, rule.params) is not False
        for c in rule.checks
        if c.resource == kind
    )


@pytest.mark.parametrize("gap", GAPS, ids=list(GAPS))
def test_what_was_not_read_is_unknown_never_a_default(gap: str) -> None:
    """Every fact the gap changed became unknown (None), not another value, except a problem the
    part that was read still proves."""
    kind, make_gap = GAPS[gap]
    before = healthy()
    after = make_gap(before)
    facts = {s.resource.name: s.facts for s in subjects(Estate(cluster=after))[kind]}
    for resource, names in changed_facts(before, after, kind).items():
        for name in names:
            assert facts[resource][name].value is None, f"{name} of {resource} is {facts[resource][name].value!r}"


def test_a_group_partly_read_still_fails_on_what_was_read() -> None:
    """A partition behind the log start is a finding even when another partition was not read."""
    cluster = healthy()
    behind = group("billing", offset(0, 30, 100), offset(10, 0, 20, index=1))
    partly = replace(behind, offsets=behind.offsets[:1], offsets_unread="committed offset of orders-1 not read")
    found = verdicts(replace(cluster, groups=(partly,)), Kind.GROUP)
    assert found["GRP001", "billing"] is Status.FAIL


def test_a_quorum_that_cannot_exist_does_not_run_the_rule() -> None:
    """Not applicable (a ZooKeeper cluster) is neither a pass nor unknown: the rule does not run."""
    reason = "a ZooKeeper-mode cluster has no KRaft controller quorum"
    cluster = replace(healthy(), quorum=None, not_applicable=(NotApplicable(CONTROLLER_QUORUM, reason),))
    judged = judge_all(RULES, subjects(Estate(cluster=cluster)))
    assert not [f for f in judged.findings if f.rule_id == "STO017"]
    assert not [p for p in judged.passes if p.rule_id == "STO017"]
    assert [(n.rule_id, n.reason) for n in judged.not_run if n.rule_id == "STO017"] == [("STO017", reason)]


def zookeeper_audit() -> AuditResult:
    reason = "a ZooKeeper-mode cluster has no KRaft controller quorum"
    cluster = replace(healthy(), quorum=None, not_applicable=(NotApplicable(CONTROLLER_QUORUM, reason),))
    return audit_estate(Estate(cluster=cluster), (), RULES, AuditOptions())


def test_a_healthy_zookeeper_cluster_exits_0_with_complete_coverage() -> None:
    result = zookeeper_audit()
    assert [f.rule_id for f in result.findings] == []
    assert result.complete
    assert result.exit_code == 0
    assert {n.rule_id for n in result.not_run} == {"STO017", "STO022"}  # STO022: no broker_defaults declared


def test_reports_say_which_rule_did_not_run_and_why() -> None:
    result = zookeeper_audit()
    text = render(result, OutputFormat.TABLE, RenderOptions(color=False, width=200))
    assert "not applicable: STO017 on test-cluster: a ZooKeeper-mode cluster has no KRaft controller quorum" in text
    document = json.loads(render(result, OutputFormat.JSON))
    assert [n for n in document["coverage"]["not_applicable"] if n["rule_id"] == "STO017"] == [
        {
            "rule_id": "STO017",
            "resource": {"kind": "cluster", "name": "test-cluster"},
            "reason": "a ZooKeeper-mode cluster has no KRaft controller quorum",
        }
    ]
    assert {r.rule_id for r in result_from_document(document).not_run} == {"STO017", "STO022"}


def test_a_rule_the_policy_does_not_ask_for_is_data_not_news() -> None:
    """STO022 judges brokers against the policy's broker_defaults: without them it does not run
    (by_policy), which the JSON report keeps as data and the terminal says only with --verbose,
    beside a rule that cannot run (STO017 on ZooKeeper), which it always says. No gap either way."""
    result = zookeeper_audit()
    sto022 = "not applicable: STO022 on 1, 2, 3: the policy declares no broker_defaults"
    document = json.loads(render(result, OutputFormat.JSON))
    for source in (result, result_from_document(document)):  # as audited, and as `report convert` reads it
        normal = render(source, OutputFormat.TABLE, RenderOptions(color=False, width=200))
        verbose = render(source, OutputFormat.TABLE, RenderOptions(color=False, width=200, detail=Detail.VERBOSE))
        assert "STO022" not in normal
        assert "not applicable: STO017 on test-cluster" in normal
        assert sto022 in verbose
        assert "not applicable: STO017 on test-cluster" in verbose
    by_rule = {
        (n["rule_id"], n["resource"]["name"]): n.get("by_policy") for n in document["coverage"]["not_applicable"]
    }
    assert by_rule == {
        ("STO017", "test-cluster"): None,
        ("STO022", "1"): True,
        ("STO022", "2"): True,
        ("STO022", "3"): True,
    }
    assert document["coverage"]["complete"] is True
    assert document["coverage"]["gaps"] == []


def test_a_rule_the_policy_does_not_ask_for_leaves_fail_on_gaps_alone() -> None:
    reason = "a ZooKeeper-mode cluster has no KRaft controller quorum"
    cluster = replace(healthy(), quorum=None, not_applicable=(NotApplicable(CONTROLLER_QUORUM, reason),))
    result = audit_estate(Estate(cluster=cluster), (), RULES, AuditOptions(fail_on_gaps=True))
    assert [n.rule_id for n in result.not_run if n.by_policy] == ["STO022"] * 3
    assert result.gaps == ()
    assert result.exit_code == 0


def test_a_snapshot_keeps_what_is_not_applicable_and_what_was_not_read() -> None:
    cluster = group_offsets_not_read(
        replace(healthy(), not_applicable=(NotApplicable(CONTROLLER_QUORUM, "ZooKeeper mode"),))
    )
    again = decode(parse(ENCODER.encode(encode(cluster)), "snapshot.json"), "snapshot.json")
    assert again.not_applicable == cluster.not_applicable
    assert again.groups[0].offsets_unread == "committed offsets not read: UnsupportedVersionError"
