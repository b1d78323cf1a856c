"""Judge subjects against rules. Pure: facts in, findings out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.engine.commands import command_values
from auditor.engine.conditions import facts_read
from auditor.engine.memo import Memo
from auditor.engine.rules import Check, Rule, fix_commands
from auditor.engine.templates import render
from auditor.facts import Subject
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
    can run on the subject, the pair is `not_run` with the reason. Subjects with the same values
    of the facts a check reads get its verdict once (auditor/engine/memo.py).
    """
    verdicts = Verdicts()
    for rule in rules:
        for kind in dict.fromkeys(rule.resources):
            checks = [
                _Runner(check, Memo(check.condition, rule.params), facts_read(check.condition))
                for check in rule.checks
                if check.resource == kind
            ]
            for subject in subjects.get(kind, ()):
                _judge_subject(rule, checks, subject, verdicts)
    return verdicts


@dataclass(frozen=True)
class _Runner:
    check: Check
    memo: Memo
    reads: tuple[str, ...]  # the facts its condition may read

    def not_applicable(self, subject: Subject) -> str | None:
        """Why this check cannot run on `subject` (a fact it reads cannot exist there), or None."""
        for name in self.reads:
            fact = subject.facts.get(name)
            if fact is not None and fact.not_applicable:
                return fact.not_applicable
        return None


def _judge_subject(rule: Rule, checks: list[_Runner], subject: Subject, verdicts: Verdicts) -> None:
    reasons = [runner.not_applicable(subject) for runner in checks]
    runnable = [runner for runner, reason in zip(checks, reasons, strict=True) if reason is None]
    if not runnable:
        verdicts.not_run.append(NotRun(rule.id, subject.resource, next(r for r in reasons if r)))
        return
    found = (judge(rule, r.check, subject, r.memo.verdict(subject.facts)) for r in runnable)
    finding = next((f for f in found if f is not None), None)
    if finding is not None:
        verdicts.findings.append(finding)
    else:
        verdicts.passes.append(Pass(rule.id, subject.resource, subject.location))


def judge(rule: Rule, check: Check, subject: Subject, verdict: bool | None) -> Finding | None:
    """The finding of `check` on `subject` given its condition's verdict, or None when it passes."""
    if verdict is False:
        return None
    values = template_values(rule, subject)
    primary = subject.facts.get(check.fact) if check.fact else None
    origin = primary.origin if primary else None
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        title=rule.title,
        stage=rule.stage,
        severity=rule.severity_for(check, subject.facts),
        status=Status.FAIL if verdict else Status.UNKNOWN,
        resource=subject.resource,
        config_key=check.config_key,
        actual=render(check.actual, values),
        actual_source=origin.describe_source() if origin else None,
        expected=render(check.expected, values),
        message=render(check.message, values),
        remediation=render(check.remediation, values, shell=True),
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


def template_values(rule: Rule, subject: Subject) -> dict[str, Any]:
    values: dict[str, Any] = {name: fact.value for name, fact in subject.facts.items()}
    values.update(subject.context)
    values.update({f"params.{k}": v for k, v in rule.params.items()})
    values["resource"] = subject.resource.name
    values.update(command_values(fix_commands(), values))
    return values
