"""Judge subjects against rules. Pure: facts in, findings out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import repeat
from operator import attrgetter
from typing import Any

from auditor.engine.commands import command_values, commands_named, spell_settings
from auditor.engine.conditions import facts_read
from auditor.engine.rules import Check, Rule, fix_commands
from auditor.engine.templates import render
from auditor.facts import Fact, Subject
from auditor.findings import Finding, Location, NotRun, Pass, Status
from auditor.model import ConfigValue, Kind


@dataclass
class Verdicts:
    """Every (rule, subject) pair once: a finding, a pass, or not run (what it judges cannot exist)."""

    findings: list[Finding] = field(default_factory=list)
    passes: list[Pass] = field(default_factory=list)
    not_run: list[NotRun] = field(default_factory=list)


def evaluate(rules: Iterable[Rule], subjects: Mapping[Kind, Iterable[Subject]]) -> list[Finding]:
    return judge_all(rules, subjects).findings


def evaluate_all(rules: Iterable[Rule], subjects: Mapping[Kind, Iterable[Subject]]) -> tuple[list[Finding], list[Pass]]:
    """The findings and the passes of `judge_all`."""
    verdicts = judge_all(rules, subjects)
    return verdicts.findings, verdicts.passes


def judge_all(rules: Iterable[Rule], subjects: Mapping[Kind, Iterable[Subject]]) -> Verdicts:
    """Every (rule, subject) pair judged once.

    A rule with several checks on one kind finds with the first check that does. A check that
    reads a fact the subject cannot have (not applicable) does not run; when no check of the rule
    can run on the subject, the pair is `not_run` with the reason. Subjects whose facts read by
    the rule's checks are equal get the same outcome, worked out once (`_Outcomes`). Rules are
    judged in id order, kinds in order and each kind's subjects in name order (stable), so each
    list comes out in the order reports give it (merge.sort_passes): no second sort of millions.
    """
    verdicts = Verdicts()
    tables: dict[Kind, _FactTable] = {}
    for rule in sorted(rules, key=_RULE_ID):
        for kind in sorted(dict.fromkeys(rule.resources)):
            table = tables.get(kind) or tables.setdefault(kind, _FactTable(_by_name(subjects.get(kind, ()))))
            _Outcomes(rule, tuple(check for check in rule.checks if check.resource == kind)).judge(table, verdicts)
    return verdicts


def _by_name(subjects: Iterable[Subject]) -> list[Subject]:
    """A kind's subjects in name order, stable (sorting 300,000 names costs far less than
    sorting the 2.5 million passes judged on them)."""
    return sorted(subjects, key=_NAME)


_RULE_ID = attrgetter("id")
_NAME = attrgetter("resource.name")
_ABSENT = object()


class _FactTable:
    """The subjects of one kind and, per fact name, a column of codes: equal codes, equal facts
    (the same value of the same type, both applicable or not for the same reason). Built once
    per fact name and shared by every rule reading it."""

    def __init__(self, subjects: list[Subject]) -> None:
        self.subjects = subjects
        self._columns: dict[str, list[int]] = {}

    def keys(self, names: tuple[str, ...]) -> Iterator[tuple[int, ...]]:
        """Each subject's codes for `names`, in subject order."""
        if not names:
            return repeat((), len(self.subjects))
        return zip(*(self._column(name) for name in names), strict=True)

    def _column(self, name: str) -> list[int]:
        column = self._columns.get(name)
        if column is None:
            column = self._columns[name] = _codes(subject.facts.get(name) for subject in self.subjects)
        return column


def _codes(facts: Iterable[Fact | None]) -> list[int]:
    """One small integer per distinct state of a fact: its value with its type (1 and True judge
    alike, but are kept apart) and whether it is not applicable; absent has its own."""
    seen: dict[object, int] = {}
    codes = []
    for fact in facts:
        state = _ABSENT if fact is None else (type(fact.value), fact.value, fact.not_applicable, fact.by_policy)
        code = seen.get(state)
        if code is None:
            code = seen[state] = len(seen)
        codes.append(code)
    return codes


@dataclass(frozen=True)
class _Outcome:
    """A rule's outcome on a subject: not run (why), a pass (no check), or the check that finds
    and its verdict (True fail, None unknown); a finding is still worded for each subject."""

    not_run: str | None = None
    check: Check | None = None
    verdict: bool | None = None
    by_policy: bool = False  # not run: the policy declares nothing for it to judge (Fact.by_policy)


class _Outcomes:
    """A rule's outcomes on one kind by the states of the facts its checks read.

    A condition reads facts only by name (FactRef), and whether a check runs depends only on the
    facts it reads, so two subjects equal on those facts have the same outcome: thousands of
    partitions and topics of a large cluster share their replica counts, ISR sizes and
    min.insync.replicas, and are judged once per distinct combination.
    """

    def __init__(self, rule: Rule, checks: tuple[Check, ...]) -> None:
        self._rule = rule
        self._checks = [(check, facts_read(check.condition)) for check in checks]
        self._reads = tuple(dict.fromkeys(name for _, reads in self._checks for name in reads))

    def judge(self, table: _FactTable, verdicts: Verdicts) -> None:
        rule_id, known = self._rule.id, dict[tuple[int, ...], _Outcome]()
        passed = verdicts.passes.append  # a pass per (rule, subject): millions on a large cluster
        for subject, key in zip(table.subjects, table.keys(self._reads), strict=True):
            outcome = known.get(key)
            if outcome is None:
                outcome = known[key] = self._work_out(subject.facts)
            if outcome is _PASS:
                passed(Pass(rule_id, subject.resource, subject.location))
            elif outcome.check is not None:
                verdicts.findings.append(judge_finding(self._rule, outcome.check, subject, outcome.verdict))
            else:
                verdicts.not_run.append(NotRun(rule_id, subject.resource, outcome.not_run or "", outcome.by_policy))

    def _work_out(self, facts: Mapping[str, Fact]) -> _Outcome:
        blockers = [_not_applicable(reads, facts) for _, reads in self._checks]
        runnable = [check for (check, _), blocker in zip(self._checks, blockers, strict=True) if blocker is None]
        if not runnable:
            first = next(b for b in blockers if b is not None)
            return _Outcome(not_run=first.not_applicable, by_policy=first.by_policy)
        for check in runnable:
            verdict = check.condition.evaluate(facts, self._rule.params)
            if verdict is not False:
                return _Outcome(check=check, verdict=verdict)
        return _PASS


_PASS = _Outcome()


def _not_applicable(reads: tuple[str, ...], facts: Mapping[str, Fact]) -> Fact | None:
    """The fact that keeps a check reading `reads` from running on these facts (it cannot exist
    there; its `not_applicable` says why), or None."""
    for name in reads:
        fact = facts.get(name)
        if fact is not None and fact.not_applicable:
            return fact
    return None


def judge(rule: Rule, check: Check, subject: Subject, verdict: bool | None) -> Finding | None:
    """The finding of `check` on `subject` given its condition's verdict, or None when it passes."""
    if verdict is False:
        return None
    return judge_finding(rule, check, subject, verdict)


def judge_finding(rule: Rule, check: Check, subject: Subject, verdict: bool | None) -> Finding:
    """The finding of `check` on `subject`, whose condition's verdict is True (fail) or None (unknown)."""
    unknown = verdict is None
    texts = (check.text("actual", unknown), check.text("expected", unknown), check.text("message", unknown))
    values = template_values(rule, subject, (*texts, check.remediation))
    primary = subject.facts.get(check.fact) if check.fact else None
    origin = primary.origin if primary else None
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        title=rule.title_for(check, unknown),
        stage=rule.stage,
        severity=rule.severity_for(check, subject.facts),
        status=Status.FAIL if verdict else Status.UNKNOWN,
        resource=subject.resource,
        config_key=check.config_key,
        actual=render(texts[0], values),
        actual_source=origin.describe_source() if origin else None,
        expected=render(texts[1], values),
        message=render(texts[2], values),
        remediation=render(spell_settings(check.remediation, values), values, shell=True),
        location=location_of(subject, origin),
    )


def location_of(subject: Subject, origin: ConfigValue | None) -> Location | None:
    """A file subject's location, at the line of the key that set the judged value.

    The line is None when the value comes from a default. A value inherited from another
    file (a declared topic's broker defaults) points at that file.
    """
    if origin is None:
        return subject.location
    if origin.path and (subject.location is None or origin.path != subject.location.path):
        return Location(origin.path, origin.line, subject.location.profile if subject.location else None)
    if subject.location is None:
        return None
    if origin.line is None:  # a default: a client built in code is still at its construction line
        return subject.location
    return replace(subject.location, line=origin.line, snippet=origin.snippet)


def template_values(rule: Rule, subject: Subject, templates: tuple[str, ...]) -> dict[str, Any]:
    """What the templates may name: the subject's facts and context, the rule's params, the
    resource, and the fix commands the templates name (only those are rendered)."""
    values: dict[str, Any] = {name: fact.value for name, fact in subject.facts.items()}
    values.update(subject.context)
    values.update({f"params.{k}": v for k, v in rule.params.items()})
    values["resource"] = subject.resource.name
    values.update(command_values(fix_commands(), values, _commands_for(templates)))
    return values


@cache
def _commands_for(templates: tuple[str, ...]) -> frozenset[str]:
    return commands_named(fix_commands(), templates)
