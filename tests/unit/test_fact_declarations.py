"""Each kind declares each fact once, in its FactTable (name, meaning, derivation): the builder
derives a subject's facts from that table, the rule loader accepts only its names, and
docs/rules.md lists them (test_rules_doc keeps the page current).

What can still go wrong, and fails here: a builder that adds, drops or overrides a fact beside
its table (checked on every subject of every rule case in tests/rule_cases, which between them
build every kind, live, from files and from the services manifest); a name declared twice; a
template context name a kind does not declare; a rule naming a fact no table declares."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from auditor.engine import builtin_rules_dir, load_rules
from auditor.errors import InputError
from auditor.facts import KINDS, Fact, subjects
from auditor.facts.base import FactSpec, FactTable
from auditor.model import Kind
from tests.rule_cases import all_cases


def _drift() -> tuple[dict[Kind, set[str]], list[str]]:
    seen: dict[Kind, set[str]] = defaultdict(set)
    problems: list[str] = []
    for case in all_cases():
        for kind, built in subjects(case.estate).items():
            declared = KINDS[kind]
            for subject in built:
                seen[kind].add(case.name)
                names = list(subject.facts)
                unknown_context = set(subject.context) - set(declared.context)
                if names != list(declared.facts) or unknown_context:
                    problems.append(
                        f"{kind} in case {case.rule}/{case.name}: built {names}, declared {list(declared.facts)}, "
                        f"undeclared context {sorted(unknown_context)}"
                    )
    return seen, problems


def test_every_subject_has_exactly_its_tables_facts_in_its_order() -> None:
    seen, problems = _drift()
    assert set(seen) == set(KINDS), f"kinds no rule case builds: {sorted(set(KINDS) - set(seen))}"
    assert problems == []


def test_every_kind_declares_its_facts_in_a_table_with_a_meaning_each() -> None:
    for kind in KINDS.values():
        assert isinstance(kind.facts, FactTable), kind.name
        assert [spec.name for spec in kind.facts.specs] == list(kind.facts)
        assert all(spec.description.strip() for spec in kind.facts.specs), kind.name


def test_a_fact_declared_twice_is_refused() -> None:
    spec = FactSpec[int, Fact]("acks", "effective acks", lambda n: Fact(n))
    with pytest.raises(ValueError, match="facts declared more than once: acks"):
        FactTable(spec, FactSpec("retries", "effective retries", lambda n: Fact(n)), spec)


def test_a_table_derives_each_fact_from_its_own_derivation_in_declared_order() -> None:
    table = FactTable(
        FactSpec[int, Fact]("doubled", "twice the input", lambda n: Fact(2 * n)),
        FactSpec[int, Fact]("negated", "the input negated", lambda n: Fact(-n)),
    )
    assert table.derive(3) == {"doubled": Fact(6), "negated": Fact(-3)}
    assert dict(table) == {"doubled": "twice the input", "negated": "the input negated"}


def test_a_rule_naming_a_fact_of_another_kind_fails_at_load(tmp_path: Path) -> None:
    """STO005 judges brokers; `acks` is a producer's fact, not a broker's (test_rule_loading covers a
    name no kind declares)."""
    assert "acks" in KINDS[Kind.PRODUCER].facts and "acks" not in KINDS[Kind.BROKER].facts
    pack = yaml.safe_load((builtin_rules_dir() / "store" / "brokers.yaml").read_text(encoding="utf-8"))
    rule = {**pack["rules"][0], "condition": {"fact": "acks", "op": "eq", "value": "all"}}
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump({"rules": [rule]}), encoding="utf-8")
    with pytest.raises(InputError, match=r"rule STO005: unknown fact 'acks'"):
        load_rules(tmp_path)
