from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from auditor.engine import builtin_rules_dir, load_rules
from auditor.engine.rules import rule_files, validate_schema
from auditor.errors import InputError

GOOD = yaml.safe_load((builtin_rules_dir() / "store" / "brokers.yaml").read_text())["rules"][0]  # STO005


def write_rules(tmp_path: Path, *rules: Mapping[str, object], raw: str | None = None) -> Path:
    (tmp_path / "pack.yaml").write_text(raw if raw is not None else yaml.safe_dump({"rules": list(rules)}))
    return tmp_path


def test_builtin_rules_load_with_unique_ids_and_names() -> None:
    rules = load_rules()
    assert {r.id for r in rules} >= {"STO001", "STO005", "STO003", "STO004"}
    assert len({r.name for r in rules}) == len(rules)
    for rule in rules:
        assert rule.rationale and rule.references and all(check.remediation for check in rule.checks)


@pytest.mark.parametrize("path", rule_files(builtin_rules_dir()), ids=lambda p: p.name)
def test_every_shipped_rule_file_meets_the_rule_pack_schema(path: Path) -> None:
    """The audit skips the schema walk for its own rules at run time: this is where they are held to it."""
    validate_schema(path, yaml.safe_load(path.read_text(encoding="utf-8")))


def test_the_schema_check_names_a_shipped_file_that_breaks_it() -> None:
    path = builtin_rules_dir() / "store" / "brokers.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["rules"][0]["severity"] = "urgent"
    with pytest.raises(InputError, match=r"brokers.yaml: rule STO005: severity: 'urgent' is not one of"):
        validate_schema(path, document)


def test_shipped_rules_are_compiled_once_and_handed_out_as_fresh_lists() -> None:
    first, second = load_rules(), load_rules()
    assert first == second and first is not second
    assert all(a is b for a, b in zip(first, second, strict=True))
    first.clear()
    assert load_rules() == second


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"severity": "urgent"}, r"rule STO005: severity: 'urgent' is not one of"),
        ({"id": "sto2"}, r"rule sto2: id: 'sto2' does not match"),
        (
            {"condition": {"fact": "min_insync_replicas", "op": "lt", "value": {"param": "missing"}}},
            r"rule STO005: unknown param 'missing'",
        ),
        ({"condition": {"fact": "isr_size", "op": "lt", "value": 2}}, r"rule STO005: unknown fact 'isr_size'"),
        ({"message": "Topic {topic} has {no_such_fact} replicas"}, r"rule STO005: message: unknown placeholder"),
        ({"references": []}, r"rule STO005: references: \[\] should be non-empty"),
        ({"checklist": "acks"}, r"rule STO005: checklist: unknown item 'acks'; known: producer acks and retries"),
    ],
)
def test_broken_rule_names_file_rule_and_problem(tmp_path: Path, change: dict[str, object], message: str) -> None:
    directory = write_rules(tmp_path, {**GOOD, **change})
    with pytest.raises(InputError, match=message) as raised:
        load_rules(directory)
    assert str(tmp_path / "pack.yaml") in str(raised.value)


def test_missing_required_field(tmp_path: Path) -> None:
    rule = {k: v for k, v in GOOD.items() if k != "rationale"}
    with pytest.raises(InputError, match=r"rule STO005: .*'rationale' is a required property"):
        load_rules(write_rules(tmp_path, rule))


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'STO005' already used"):
        load_rules(write_rules(tmp_path, GOOD, {**GOOD, "name": "other-name"}))


def test_invalid_yaml_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"pack.yaml"):
        load_rules(write_rules(tmp_path, raw="rules: [\n  - id: X"))


def test_empty_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no rule files"):
        load_rules(tmp_path)


TWO_KINDS = {
    "id": "STO998",
    "name": "two-kinds",
    "title": "A rule on topics and brokers",
    "stage": "store",
    "severity": "high",
    "fact": "min_insync_replicas",
    "actual": "{min_insync_replicas}",
    "expected": ">= 2",
    "condition": {"fact": "min_insync_replicas", "op": "lt", "value": 2},
    "targets": [
        {"resource": "topic", "message": "topic {topic} is weak", "remediation": "fix topic {topic}"},
        {"resource": "broker", "message": "broker {broker} is weak", "remediation": "fix broker {broker}"},
    ],
    "rationale": "Because one copy of a message is not enough.",
    "references": ["https://kafka.apache.org/documentation/"],
}


def test_targets_inherit_the_rules_check_fields(tmp_path: Path) -> None:
    (rule,) = load_rules(write_rules(tmp_path, TWO_KINDS))
    assert rule.resources == ("topic", "broker")
    assert [c.expected for c in rule.checks] == [">= 2", ">= 2"]
    assert rule.checks[1].message == "broker {broker} is weak"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"resource": "broker"}, r"rule STO998: target broker: missing message, remediation"),
        (
            {"resource": "queue", "message": "a queue is weak", "remediation": "fix the queue"},
            r"unknown resource 'queue'",
        ),
        (
            {"resource": "broker", "message": "topic {topic} is weak", "remediation": "fix the broker"},
            r"rule STO998: target broker: message: unknown placeholder \{topic\}",
        ),
    ],
)
def test_broken_target_names_rule_target_and_problem(tmp_path: Path, target: dict[str, object], message: str) -> None:
    rule = {**TWO_KINDS, "targets": [TWO_KINDS["targets"][0], target]}  # type: ignore[index]
    with pytest.raises(InputError, match=message):
        load_rules(write_rules(tmp_path, rule))


def test_rule_packs_are_read_from_stage_folders(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    write_rules(tmp_path / "store", TWO_KINDS)
    assert [r.id for r in load_rules(tmp_path)] == ["STO998"]
