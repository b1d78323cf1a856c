"""Baselines: record fingerprints with counts, fail only on what goes beyond them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, audit_estate
from auditor.baseline import load_baseline
from auditor.engine import load_rules
from auditor.errors import InputError
from auditor.model import Estate, Topic
from auditor.result import AuditResult
from tests.builders import declared_topic, snapshot, topic


def run(*topics: Topic, **options: object) -> AuditResult:
    return audit_estate(Estate(cluster=snapshot(*topics)), (), load_rules(), AuditOptions(**options))  # type: ignore[arg-type]


def test_written_baseline_accepts_the_run_and_later_runs(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    first = run(topic("orders", min_isr="1"), write_baseline=path)
    assert first.exit_code == 0 and all(f.baselined for f in first.findings)
    again = run(topic("orders", min_isr="1"), baseline=load_baseline(path))
    assert again.exit_code == 0 and again.findings and all(f.baselined for f in again.findings)


def test_new_finding_fails_even_of_a_known_kind(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    run(topic("orders", min_isr="1"), write_baseline=path)
    result = run(topic("orders", min_isr="1"), topic("payments", min_isr="1"), baseline=load_baseline(path))
    new = [(f.rule_id, f.resource.name) for f in result.findings if not f.baselined]
    assert new == [("STO002", "payments")]
    assert result.exit_code == 1


def test_counts_matter(tmp_path: Path) -> None:
    """Two declarations of one topic give one fingerprint twice; a baseline of one lets one pass."""
    estate = Estate(cluster=snapshot(), topics=(declared_topic("orders", rf="1", path="a.yaml"),))
    path = tmp_path / "baseline.json"
    audit_estate(estate, (), load_rules(), AuditOptions(write_baseline=path))
    assert json.loads(path.read_text())["fingerprints"]
    doubled = replace(estate, topics=(*estate.topics, declared_topic("orders", rf="1", path="b.yaml")))
    result = audit_estate(doubled, (), load_rules(), AuditOptions(baseline=load_baseline(path)))
    assert sorted(f.baselined for f in result.findings if f.rule_id == "STO001") == [False, True]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ('{"fingerprints": {}}', "is not a kafka-audit baseline"),
        ('{"format": "kafka-audit-baseline", "version": 2, "fingerprints": {}}', "has version 2"),
        ('{"format": "kafka-audit-baseline", "version": 1, "fingerprints": {"a": 1}}', "must map fingerprints"),
    ],
)
def test_invalid_baseline_is_an_input_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_baseline(path)


def test_missing_baseline_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read baseline"):
        load_baseline(tmp_path / "nope.json")
