"""Judge subjects against rules. Pure: facts in, findings out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from auditor.engine.rules import Rule, render
from auditor.facts import Subject
from auditor.findings import Finding, Location, Pass, Status
from auditor.model import ConfigValue


def evaluate(rules: Iterable[Rule], subjects: Mapping[str, Iterable[Subject]]) -> list[Finding]:
    return evaluate_all(rules, subjects)[0]


def evaluate_all(
    rules: Iterable[Rule], subjects: Mapping[str, Iterable[Subject]]
) -> tuple[list[Finding], list[Pass]]:
    """Every (rule, subject) pair judged: the findings, and the pairs that passed."""
    findings: list[Finding] = []
    passes: list[Pass] = []
    for rule in rules:
        for subject in subjects.get(rule.resource, ()):
            finding = judge(rule, subject)
            if finding is not None:
                findings.append(finding)
            else:
                passes.append(Pass(rule.id, subject.resource, subject.location))
    return findings, passes


def judge(rule: Rule, subject: Subject) -> Finding | None:
    verdict = rule.condition(subject.facts, rule.params)
    if verdict is False:
        return None
    values = template_values(rule, subject)
    primary = subject.facts.get(rule.fact) if rule.fact else None
    origin = primary.origin if primary else None
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        title=rule.title,
        stage=rule.stage,
        severity=rule.severity_for(subject.facts),
        status=Status.FAIL if verdict else Status.UNKNOWN,
        resource=subject.resource,
        config_key=rule.config_key,
        actual=render(rule.actual, values),
        actual_source=origin.describe_source() if origin else None,
        expected=render(rule.expected, values),
        message=render(rule.message, values),
        remediation=render(rule.remediation, values),
        location=location_of(subject, origin),
    )


def location_of(subject: Subject, origin: ConfigValue | None) -> Location | None:
    """A file subject's location, at the line of the key that set the judged value.

    The line is None when the value comes from a default or is inherited.
    """
    if subject.location is None or origin is None:
        return subject.location
    return replace(subject.location, line=origin.line)


def template_values(rule: Rule, subject: Subject) -> dict[str, Any]:
    values: dict[str, Any] = {name: fact.value for name, fact in subject.facts.items()}
    values.update(subject.context)
    values.update({f"params.{k}": v for k, v in rule.params.items()})
    values["resource"] = subject.resource.name
    return values
