"""Rules: loaded from YAML, validated against the shipped JSON Schema, compiled once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from auditor.engine.commands import COMMANDS_FILE, Command, check_commands, load_commands
from auditor.engine.conditions import Condition, ConditionError, parse_condition
from auditor.engine.templates import PLACEHOLDER
from auditor.errors import InputError
from auditor.facts import KINDS, Fact, SubjectKind
from auditor.findings import ChecklistItem, Severity, Stage
from auditor.model import Kind
from auditor.yamlread import load_plain


@cache
def builtin_rules_dir() -> Path:
    """The shipped rules: inside the wheel as auditor/rules, in a checkout as ./rules (looked up
    once: every finding's fix reads the commands file beside them)."""
    package_dir = Path(__file__).resolve().parent.parent
    installed = package_dir / "rules"
    return installed if installed.is_dir() else package_dir.parent / "rules"


SCHEMA_FILE = "rule-pack.schema.json"


@dataclass(frozen=True)
class SeverityCase:
    when: Condition
    severity: Severity


# What one target of a rule says; a rule may hold them inline (one kind) or per `targets` entry,
# where each entry inherits the inline fields it does not set.
CHECK_FIELDS = (
    "resource",
    "condition",
    "severity_cases",
    "fact",
    "config_key",
    "actual",
    "expected",
    "message",
    "remediation",
    "unknown",
)
UNKNOWN_FIELDS = ("title", "actual", "expected", "message")
REQUIRED_CHECK_FIELDS = ("resource", "condition", "actual", "expected", "message", "remediation")


@dataclass(frozen=True)
class Check:
    """How a rule judges one kind of subject."""

    resource: Kind
    condition: Condition
    severity_cases: tuple[SeverityCase, ...]
    fact: str | None
    config_key: str | None
    actual: str
    expected: str
    message: str
    remediation: str
    # The texts of an `unknown` finding where the fail texts would assert a value (`unknown:` in
    # the YAML, per rule or per target): title, actual, expected, message.
    unknown: Mapping[str, str] = field(default_factory=dict)
    # A target's own title for its failing findings (a producer that will not start is not the
    # loss the rule's title names); None: the rule's title. Set per `targets` entry only.
    title: str | None = None

    def text(self, name: str, unknown: bool) -> str:
        """The template of `name` (actual, expected, message) for a failing or an unknown finding."""
        return self.unknown.get(name, getattr(self, name)) if unknown else str(getattr(self, name))


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    stage: Stage
    severity: Severity
    params: Mapping[str, Any]
    checks: tuple[Check, ...]
    rationale: str
    references: tuple[str, ...]
    source: str
    checklist: ChecklistItem | None = None  # the checklist item it judges (`checklist:` in the YAML)
    severity_override: Severity | None = None  # a policy's remap: wins over cases and default

    def title_for(self, check: Check, unknown: bool) -> str:
        return check.unknown.get("title", self.title) if unknown else check.title or self.title

    @property
    def remediation(self) -> str:
        """The fix of every check, as templates (a rule judging several kinds has one each)."""
        return "\n".join(dict.fromkeys(check.remediation for check in self.checks))

    @property
    def resources(self) -> tuple[Kind, ...]:
        return tuple(check.resource for check in self.checks)

    def severity_for(self, check: Check, facts: Mapping[str, Fact]) -> Severity:
        if self.severity_override is not None:
            return self.severity_override
        for case in check.severity_cases:
            if case.when.evaluate(facts, self.params):
                return case.severity
        return self.severity


def load_rules(directory: Path | None = None) -> list[Rule]:
    """Every rule in the directory's *.yaml files (any depth), in id order. InputError on any defect.

    The shipped rules (no directory) are read and compiled once per process; they are not checked
    against the rule-pack JSON Schema at run time, as every other directory is: they ship with the
    code, and test_rule_loading validates each shipped file against the schema (jsonschema walking
    15 files cost 0.1 s CPU of every run's start-up, and its import 0.05 s more).
    """
    if directory is None or directory == builtin_rules_dir():
        return list(_builtin_rules())
    return _load_directory(directory, validate=True)


@cache
def _builtin_rules() -> tuple[Rule, ...]:
    return tuple(_load_directory(builtin_rules_dir(), validate=False))


def rule_files(directory: Path) -> list[Path]:
    """The rule packs of a directory: its *.yaml files at any depth but the commands file."""
    return sorted(p for p in directory.rglob("*.yaml") if p != directory / COMMANDS_FILE)


def _load_directory(directory: Path, validate: bool) -> list[Rule]:
    files = rule_files(directory)
    if not files:
        raise InputError(f"no rule files (*.yaml) in {directory}")
    rules: list[Rule] = []
    for path in files:
        rules.extend(load_rule_file(path, validate))
    _check_unique(rules)
    return sorted(rules, key=lambda r: r.id)


def load_rule_file(path: Path, validate: bool = True) -> list[Rule]:
    try:
        document = load_plain(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"rule file {path}: {_one_line(exc)}") from exc
    if validate:
        validate_schema(path, document)
    return [_compile_rule(path, spec) for spec in document["rules"]]


def validate_schema(path: Path, document: Any) -> None:
    """InputError naming the file, rule and field of the first way the document breaks the rule-pack schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(rule_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return
    path_in_file = list(error.absolute_path)
    rule_id = _rule_id_at(document, path_in_file)
    inside_rule = path_in_file[2:] if rule_id != "-" else path_in_file
    where = "/".join(str(p) for p in inside_rule) or "(rule)"
    raise InputError(f"rule file {path}: rule {rule_id}: {where}: {error.message}")


@cache
def rule_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((builtin_rules_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema


def _rule_id_at(document: Any, path: list[Any]) -> str:
    if len(path) >= 2 and path[0] == "rules" and isinstance(document, dict):
        rule = document["rules"][path[1]]
        if isinstance(rule, dict) and "id" in rule:
            return str(rule["id"])
        return f"#{path[1] + 1}"
    return "-"


def _compile_rule(path: Path, spec: dict[str, Any]) -> Rule:
    rule_id = spec["id"]
    params = dict(spec.get("params") or {})
    inline = {k: spec[k] for k in CHECK_FIELDS if k in spec}
    targets = [
        {**inline, **target, "unknown": {**inline.get("unknown", {}), **target.get("unknown", {})}}
        for target in spec.get("targets") or [{}]
    ]
    try:
        checks = tuple(_compile_check(target, params, named="targets" in spec) for target in targets)
    except ConditionError as exc:
        raise InputError(f"rule file {path}: rule {rule_id}: {exc}") from exc
    return Rule(
        id=rule_id,
        name=spec["name"],
        title=spec["title"],
        stage=Stage(spec["stage"]),
        severity=Severity(spec["severity"]),
        params=params,
        checks=checks,
        rationale=spec["rationale"].strip(),
        references=tuple(spec.get("references", ())),
        source=str(path),
        checklist=_checklist_item(path, rule_id, spec.get("checklist")),
    )


def _checklist_item(path: Path, rule_id: str, name: str | None) -> ChecklistItem | None:
    if name is None:
        return None
    if name not in {item.value for item in ChecklistItem}:
        known = ", ".join(item.value for item in ChecklistItem)
        raise InputError(f"rule file {path}: rule {rule_id}: checklist: unknown item {name!r}; known: {known}")
    return ChecklistItem(name)


def _compile_check(spec: Mapping[str, Any], params: Mapping[str, Any], named: bool) -> Check:
    missing = [name for name in REQUIRED_CHECK_FIELDS if name not in spec]
    if missing:
        raise ConditionError(f"target {spec.get('resource', '?')}: missing {', '.join(missing)}")
    kind = _subject_kind(spec["resource"])
    prefix = f"target {kind.name}: " if named else ""
    try:
        condition = parse_condition(spec["condition"], kind.facts, params)
        cases = tuple(
            SeverityCase(parse_condition(c["when"], kind.facts, params), Severity(c["severity"]))
            for c in spec.get("severity_cases", ())
        )
        if spec.get("fact") is not None and spec["fact"] not in kind.facts:
            raise ConditionError(f"unknown fact {spec['fact']!r}")
        for field_name in ("actual", "expected", "message", "remediation"):
            _check_template(spec[field_name], kind, params, field_name)
        for field_name, template in spec["unknown"].items():
            _check_template(template, kind, params, f"unknown.{field_name}")
    except ConditionError as exc:
        raise ConditionError(f"{prefix}{exc}") from exc
    return Check(
        resource=kind.name,
        condition=condition,
        severity_cases=cases,
        fact=spec.get("fact"),
        config_key=spec.get("config_key"),
        actual=spec["actual"],
        expected=spec["expected"],
        message=spec["message"],
        remediation=spec["remediation"].strip(),
        unknown={name: str(text) for name, text in spec["unknown"].items()},
        title=spec.get("title"),
    )


def _subject_kind(name: str) -> SubjectKind:
    kind = KINDS.get(Kind(name)) if name in KINDS else None
    if kind is None:
        raise ConditionError(f"unknown resource {name!r}; known: {', '.join(KINDS)}")
    return kind


@cache
def fix_commands() -> Mapping[str, Command]:
    """The commands rule fixes name (rules/commands.yaml of the shipped rules), read once."""
    return load_commands(builtin_rules_dir() / COMMANDS_FILE)


def _check_template(template: str, kind: SubjectKind, params: Mapping[str, Any], field_name: str) -> None:
    known = set(kind.facts) | set(kind.context) | {"resource"}
    commands = fix_commands()
    used = PLACEHOLDER.findall(template)
    for name in used:
        if name not in known | set(commands) | {f"params.{p}" for p in params}:
            raise ConditionError(f"{field_name}: unknown placeholder {{{name}}}")
    unknown = check_commands(commands, used, known)
    if unknown is not None:
        raise ConditionError(f"{field_name}: {kind.name} has no {unknown}")


def _check_unique(rules: list[Rule]) -> None:
    seen: dict[str, str] = {}
    for rule in rules:
        for key in (rule.id, rule.name):
            if key in seen:
                raise InputError(f"rule file {rule.source}: rule {rule.id}: {key!r} already used in {seen[key]}")
            seen[key] = rule.source


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
