"""Each kind's facts and template context are declared once, in its SubjectKind, and its builder
gives exactly those: a fact built but not declared cannot be named by a rule (the loader refuses
it), and a fact declared but not built would be a silent `unknown` in every rule that reads it.

Checked on every subject of every rule case (tests/rule_cases), which between them build every
kind, live, from files and from the services manifest."""

from __future__ import annotations

from collections import defaultdict

from auditor.facts import KINDS, subjects
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
                extra = set(subject.facts) - set(declared.facts)
                missing = set(declared.facts) - set(subject.facts)
                unknown_context = set(subject.context) - set(declared.context)
                if extra or missing or unknown_context:
                    problems.append(
                        f"{kind} in case {case.rule}/{case.name}: not declared {sorted(extra)}, "
                        f"declared but not built {sorted(missing)}, undeclared context {sorted(unknown_context)}"
                    )
    return seen, problems


def test_every_kind_builds_exactly_the_facts_it_declares() -> None:
    seen, problems = _drift()
    assert set(seen) == set(KINDS), f"kinds no rule case builds: {sorted(set(KINDS) - set(seen))}"
    assert problems == []
