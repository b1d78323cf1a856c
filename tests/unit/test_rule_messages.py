"""Every rule message of the catalog, rendered three ways (issue #14, point 4): with the real values
of the subject its fail fixture (tests/rule_cases) fails on, with every fact unknown, and with the
largest values Kafka allows (a 249-character topic name, a thousand replicas, 2^31-1), then shown
by the terminal report at 80 columns.

What can go wrong, and fails here: a placeholder left unfilled or filled with Python's `None`, an
unknown value rendered as if it were a number or a default, a message that cuts a long name, a
terminal line that breaks inside a name or runs past the width.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

import pytest

from auditor.engine import Rule, load_rules
from auditor.engine.conditions import facts_read
from auditor.engine.evaluate import judge
from auditor.engine.rules import Check
from auditor.engine.templates import PLACEHOLDER
from auditor.facts import subjects
from auditor.facts.base import Fact, FactValue, Subject
from auditor.findings import Finding, Resource, Status
from auditor.reports import Detail, OutputFormat, RenderOptions, render
from auditor.reports.common import location_text
from auditor.reports.fixtext import commands
from tests.report_fixtures import full_result
from tests.rule_cases import all_cases

LONG_NAME = "orders." + "x" * 236 + "-v0001"  # 249 characters: the longest topic name Kafka accepts
assert len(LONG_NAME) == 249
MANY_REPLICAS = ", ".join(str(i) for i in range(1, 1001))  # broker ids as facts hold them: "1, 2, 3"
ID_LIST = re.compile(r"^\[?\d+(,\s*\d+)*\]?$")
LARGEST_INT = 2**31 - 1
WIDTH = 80


@cache
def _rules() -> dict[str, Rule]:
    rules = load_rules()
    return {**{r.id: r for r in rules}, **{r.name: r for r in rules}}


def _checks() -> list[tuple[Rule, int]]:
    return [(rule, i) for rule in load_rules() for i in range(len(rule.checks))]


@cache
def _failing_subjects() -> dict[tuple[str, int], Subject]:
    """For each rule check, a subject of a fail or unknown fixture that the check finds on."""
    found: dict[tuple[str, int], Subject] = {}
    for case in all_cases():
        rule = _rules().get(case.rule)
        if case.outcome == "pass" or rule is None:
            continue
        if case.params:
            rule = replace(rule, params={**rule.params, **case.params})
        judged = subjects(case.estate)
        for i, check in enumerate(rule.checks):
            for subject in judged.get(check.resource, ()):
                if (rule.id, i) not in found and check.condition.evaluate(subject.facts, rule.params) is not False:
                    found[(rule.id, i)] = subject
    return found


def _subject(rule: Rule, index: int) -> Subject:
    subject = _failing_subjects().get((rule.id, index))
    assert subject is not None, f"{rule.id} check {index + 1} ({rule.checks[index].resource}): no fixture fails on it"
    return subject


def _placeholders(check: Check) -> set[str]:
    return set(PLACEHOLDER.findall(check.message))


def _unknown(subject: Subject) -> Subject:
    return replace(subject, facts={name: Fact(None, fact.origin) for name, fact in subject.facts.items()})


def _largest_value(value: FactValue) -> FactValue:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return LARGEST_INT
    if isinstance(value, float):
        return float(LARGEST_INT)
    return MANY_REPLICAS if ID_LIST.match(str(value)) else LONG_NAME


def _largest(subject: Subject) -> Subject:
    facts = {name: Fact(_largest_value(fact.value), fact.origin) for name, fact in subject.facts.items()}
    context = {name: str(_largest_value(value)) for name, value in subject.context.items()}
    resource = Resource(subject.resource.kind, LONG_NAME, subject.resource.cluster)
    return replace(subject, resource=resource, facts=facts, context=context)


def _finding(rule: Rule, index: int, subject: Subject, verdict: bool | None) -> Finding:
    finding = judge(rule, rule.checks[index], subject, verdict)
    assert finding is not None
    return finding


def _terminal(finding: Finding) -> str:
    result = replace(full_result(), findings=(finding,), exit_code=1)
    return render(result, OutputFormat.TABLE, RenderOptions(width=WIDTH, detail=Detail.VERBOSE))


def _assert_clean(text: str) -> None:
    assert "{" not in text and "}" not in text, f"unfilled placeholder: {text}"
    assert not re.search(r"\bNone\b", text), f"Python's None shown to a user: {text}"


CHECKS = _checks()
IDS = [f"{rule.id}-{index + 1}" for rule, index in CHECKS]


@pytest.mark.parametrize(("rule", "index"), CHECKS, ids=IDS)
def test_message_with_real_values(rule: Rule, index: int) -> None:
    subject = _subject(rule, index)
    finding = _finding(rule, index, subject, True)
    _assert_clean(finding.message)
    for name in _placeholders(rule.checks[index]) - {"resource"}:
        value = subject.facts[name].value if name in subject.facts else subject.context.get(name)
        if value is not None:  # a real value is said as it is, never as "unknown"
            shown = "true" if value is True else "false" if value is False else str(value)
            assert shown in finding.message, f"{{{name}}}={shown!r} not in {finding.message!r}"
    if "{resource}" in rule.checks[index].message:
        assert subject.resource.name in finding.message


@pytest.mark.parametrize(("rule", "index"), CHECKS, ids=IDS)
def test_message_with_every_fact_unknown(rule: Rule, index: int) -> None:
    check = rule.checks[index]
    finding = _finding(rule, index, _unknown(_subject(rule, index)), None)
    assert finding.status is Status.UNKNOWN
    _assert_clean(finding.message)
    _assert_clean(finding.actual)
    subject = _subject(rule, index)
    facts_used = _placeholders(check) & set(subject.facts) - set(subject.context)
    if facts_used:  # an unknown value is said to be unknown, never shown as a number or a default
        assert "unknown" in finding.message, finding.message


@pytest.mark.parametrize(("rule", "index"), CHECKS, ids=IDS)
def test_message_with_the_largest_values(rule: Rule, index: int) -> None:
    finding = _finding(rule, index, _largest(_subject(rule, index)), True)
    _assert_clean(finding.message)
    if "{resource}" in rule.checks[index].message:
        assert LONG_NAME in finding.message  # whole, never cut
    text = _terminal(finding)
    every_command = set(commands(finding.remediation))
    first = location_text(finding, None)
    for line in text.splitlines():
        if len(line) > WIDTH:  # a whole command, one token longer than the line, or a first line whose
            token = line.strip().removeprefix("fix: ").removeprefix("see: ")  # location alone is that long
            whole_first_line = line.startswith(first) and f"{finding.rule_id} {finding.severity.value}" in line
            assert token in every_command or " " not in token or whole_first_line, line
    flat = " ".join(text.split())
    assert LONG_NAME in flat  # the terminal shows the name whole, on one line


def test_a_thousand_replicas_render_whole() -> None:
    """STO011 says counts and broker ids apart ("1 of 3 in sync: ISR [1], replicas [1, 2, 3]", not
    "ISR 2 of replicas 2"), with a thousand replicas too."""
    rule = _rules()["STO011"]
    subject = _subject(rule, 0)
    finding = _finding(rule, 0, _largest(subject), True)
    assert finding.actual.endswith(f"ISR [{MANY_REPLICAS}], replicas [{MANY_REPLICAS}]"), finding.actual[-200:]
    assert finding.actual.startswith(f"{LARGEST_INT} of {LARGEST_INT} in sync")


SENTINEL = "\u2047UNKNOWN\u2047"  # stands for an unknown fact, to find where a template puts it


def _unknown_cases() -> list[tuple[Rule, int, str]]:
    """Each check with each fact its condition reads that, unknown alone, makes the finding unknown."""
    cases = []
    for rule, index in CHECKS:
        check = rule.checks[index]
        subject = _failing_subjects().get((rule.id, index))
        if subject is None:
            continue
        for name in dict.fromkeys(facts_read(check.condition)):
            if name not in subject.facts:
                continue
            facts = {**subject.facts, name: Fact(None, subject.facts[name].origin)}
            if check.condition.evaluate(facts, rule.params) is None:
                cases.append((rule, index, name))
    return cases


UNKNOWN_CASES = _unknown_cases()


@pytest.mark.parametrize(
    ("rule", "index", "fact"), UNKNOWN_CASES, ids=[f"{r.id}-{i + 1}-{f}" for r, i, f in UNKNOWN_CASES]
)
def test_unknown_texts_never_assert_the_unknown_value(rule: Rule, index: int, fact: str) -> None:
    """Issue #13: once a value is unknown, no title, message or expected says it in a sentence that
    asserts one ("Unclean leader election enabled", "with only unknown in-sync replica", "expected
    < unknown"): the rule gives its unknown finding other texts (`unknown:` in its YAML). The
    actual may say "unknown": that is the value."""
    subject = _subject(rule, index)
    unknown = replace(subject, facts={**subject.facts, fact: Fact(None, subject.facts[fact].origin)})
    finding = _finding(rule, index, unknown, None)
    assert finding.status is Status.UNKNOWN
    marked = replace(subject, facts={**subject.facts, fact: Fact(SENTINEL, subject.facts[fact].origin)})
    texts = _finding(rule, index, marked, None)
    for field in ("title", "message", "expected"):
        assert SENTINEL not in getattr(texts, field), f"{field} asserts the unknown {fact}: {getattr(finding, field)!r}"
    assert rule.title_for(rule.checks[index], True) == finding.title


def test_the_texts_issue_13_quotes_read_right_when_unknown() -> None:
    """STO004's title no longer says "enabled", STO002 no longer "accepts acks=all writes with only
    unknown in-sync replica", STO003 no longer expects "< unknown"."""
    for rule_id, fact in (
        ("STO004", "unclean_leader_election_enable"),
        ("STO002", "min_insync_replicas"),
        ("STO003", "min_insync_replicas"),
    ):
        rule = _rules()[rule_id]
        subject = _subject(rule, 0)
        finding = _finding(rule, 0, replace(subject, facts={**subject.facts, fact: Fact(None)}), None)
        assert "enabled" not in finding.title and "below" not in finding.title, finding.title
        assert "only unknown" not in finding.message and finding.expected != "< unknown", finding
        assert "could not be determined" in finding.message


@pytest.mark.parametrize(("rule", "index"), CHECKS, ids=IDS)
def test_every_rule_has_a_title_for_its_unknown_findings(rule: Rule, index: int) -> None:
    """A title names what the rule finds ("Unclean leader election enabled"): said of a value that
    could not be read it asserts what nobody knows, so every rule says its unknown another way."""
    unknown_title = rule.title_for(rule.checks[index], True)
    assert unknown_title != rule.title and "unknown" in unknown_title, unknown_title
