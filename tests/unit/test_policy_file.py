"""The policy file: tuning, scope, profiles, and exit-2 errors that name file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.errors import InputError
from auditor.facts import Fact, Scope, Subject
from auditor.findings import Resource
from auditor.model import Estate, Kind
from auditor.policyfile import Policy, find_policy, load_policy
from auditor.result import AuditResult
from tests.builders import broker, group, offset, snapshot, topic
from tests.policy_builders import policy, write

ESTATE = Estate(
    cluster=snapshot(
        topic("orders", min_isr="1"),
        topic("payments", rf=2),
        topic("__consumer_offsets", rf=1, internal=True),
        broker_list=[broker(1, auto_create_topics_enable="true"), broker(2), broker(3)],
        groups=[
            group("billing", offset(committed=1, log_start=5)),
            group("tmp-debug", offset(committed=1, log_start=5)),
        ],
    )
)


def run(p: Policy) -> AuditResult:
    options = AuditOptions(policy=p, today=date(2026, 6, 1))
    return audit_estate(ESTATE, (), load_rules(), options)


def found(result: AuditResult) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.resource.name, f.severity.value) for f in result.findings}


def test_default_policy_is_the_catalog() -> None:
    assert found(run(load_policy(None, load_rules()))) == found(run(Policy()))
    assert ("STO002", "orders", "high") in found(run(Policy()))


def test_severity_remap_off_and_params(tmp_path: Path) -> None:
    result = run(
        policy(
            tmp_path,
            """
            rules:
              STO002: {severity: critical}
              topic-replication-factor: {params: {min_replication_factor: 2}}
              STO006: {off: true}
            """,
        )
    )
    assert ("STO002", "orders", "critical") in found(result)
    assert not any(f.rule_id == "STO001" for f in result.findings), "RF 2 passes with min 2"
    assert not any(r.id == "STO006" for r in result.rules)
    assert not any(f.rule_id == "STO006" for f in result.findings)


def test_include_exclude_and_internal_topics(tmp_path: Path) -> None:
    result = run(
        policy(
            tmp_path,
            """
            internal_topics: false
            include: {topics: ["^orders$", "^__"]}
            exclude: {groups: ["^tmp-"]}
            """,
        )
    )
    names = {f.resource.name for f in result.findings if f.resource.kind in ("topic", "partition", "group")}
    assert names == {"orders", "billing"}


def test_strict_profile_and_fail_on(tmp_path: Path) -> None:
    strict = policy(tmp_path, "extends: strict\n")
    assert strict.fail_on == "medium"
    assert ("STO006", "1", "high") in found(run(strict))
    overridden = policy(tmp_path, "extends: strict\nfail_on: critical\nrules: {STO006: {severity: low}}\n")
    assert overridden.fail_on == "critical"
    assert ("STO006", "1", "low") in found(run(overridden))


def test_policy_found_in_working_folder(tmp_path: Path) -> None:
    assert find_policy(None, tmp_path) is None
    path = write(tmp_path, "fail_on: low\n")
    assert find_policy(None, tmp_path) == path
    assert find_policy(tmp_path / "other.yaml", tmp_path) == tmp_path / "other.yaml"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("fail_on: high\nfailon: low\n", 2, "unknown policy key 'failon'"),
        ("rules:\n  STO002: {severity: high}\n  STO999: {off: true}\n", 3, "unknown rule 'STO999'"),
        ("rules:\n  STO002:\n    severity: urgent\n", 3, "severity must be one of"),
        ("rules:\n  STO002:\n    disabled: true\n", 3, "unknown setting of STO002 'disabled'"),
        ("rules:\n  STO002:\n    params:\n      min_isr: 3\n", 4, "STO002 has no param 'min_isr'"),
        ("rules:\n  STO002:\n    params: {min_insync_replicas: two}\n", 3, "must be like 2"),
        ("rules:\n  STO002: {off: yes}\n", 2, "off must be true or false"),
        ("rules:\n  STO002: {off: true}\n  min-insync-replicas: {off: false}\n", 3, "set twice"),
        ("extends: lenient\n", 1, "unknown profile 'lenient'"),
        ("fail_on: urgent\n", 1, "fail_on must be one of"),
        ("include: {topics: ['(']}\n", 1, "invalid regex"),
        ("exclude:\n  brokers: ['1']\n", 2, "unknown exclude key 'brokers'"),
        ("internal_topics: maybe\n", 1, "internal_topics must be true or false"),
        ("rules: [\n", 2, "invalid YAML"),
    ],
)
def test_invalid_policy_names_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as raised:
        policy(tmp_path, text)
    assert f"{tmp_path / '.kafka-audit.yaml'}:{line}: " in str(raised.value)
    assert message in str(raised.value)


def test_the_documented_example_is_a_valid_policy(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "policy.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    loaded = policy(tmp_path, example)
    assert loaded.rules["STO002"].severity is not None and loaded.rules["STO006"].off is True
    assert [w.rule_id for w in loaded.waivers] == ["STO001"]


def test_scope_reads_each_subjects_typed_scope() -> None:
    """include/exclude apply to the topic and group a subject's Scope names, and to nothing else:
    a producer-only service names no group, so a groups include does not drop it."""
    only_orders = Policy(include={"groups": ("^orders-",)}, exclude={"topics": ("^tmp-",)})

    def subject(kind: Kind, scope: Scope) -> Subject:
        return Subject(Resource(kind, "x"), {}, scope=scope)

    assert only_orders.selects(subject(Kind.SERVICE, Scope(group=None)))
    assert only_orders.selects(subject(Kind.BROKER, Scope()))
    assert only_orders.selects(subject(Kind.READ, Scope(topic="payments", group="orders-app")))
    assert not only_orders.selects(subject(Kind.READ, Scope(topic="payments", group="billing")))
    assert not only_orders.selects(subject(Kind.TOPIC, Scope(topic="tmp-1")))


def test_scope_decides_each_subject_as_selects_does() -> None:
    """scope() decides each (internal, topic, group) once for all the subjects that repeat it;
    every subject must still be kept exactly when selects() keeps it on its own."""
    policy_ = Policy(include={"topics": ("^orders",)}, exclude={"groups": ("^tmp-",)}, internal_topics=False)
    internal, plain = {"internal": Fact(True)}, {"internal": Fact(False)}
    cases = [
        Subject(Resource(Kind.TOPIC, "__consumer_offsets"), internal, scope=Scope(topic="orders-internal")),
        Subject(Resource(Kind.PARTITION, "orders-0"), plain, scope=Scope(topic="orders-internal")),
        Subject(Resource(Kind.READ, "r"), {}, scope=Scope(topic="orders-internal", group="tmp-1")),
        Subject(Resource(Kind.READ, "r"), {}, scope=Scope(topic="orders-internal", group="app")),
        Subject(Resource(Kind.PARTITION, "payments-0"), plain, scope=Scope(topic="payments")),
        Subject(Resource(Kind.BROKER, "1"), {}, scope=Scope()),
    ]
    kept = policy_.scope({Kind.TOPIC: cases})[Kind.TOPIC]
    assert kept == [s for s in cases if policy_.selects(s)] == [cases[1], cases[3], cases[5]]
