"""The commands a rule's fix names ({cluster_flags}, {set_config}, {set_default}): their text is in
rules/commands.yaml, next to the rules; the facts supply only data (the bootstrap servers, the
client properties file the audit connected with, the topic, the file that declares a resource).

A command has variants, tried in order: the first whose placeholders all have a value for the
subject (and, for a variant of one file format, whose resource is declared in such a file) is the
one a finding shows (a topic declared in a KafkaTopic is fixed under its spec.config, one in
Terraform in its config map, a live one with kafka-configs.sh). Every value is shell-quoted as in
any remediation; a command's text is then pasted into the remediation as is."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from auditor.engine.templates import PLACEHOLDER, ShellText, render
from auditor.errors import InputError
from auditor.facts.spelling import SettingNames
from auditor.yamlread import load_plain

COMMANDS_FILE = "commands.yaml"  # at the top of the rules folder; not a rule file


@dataclass(frozen=True)
class Variant:
    """One wording of a command; with `format`, only for a resource declared in a file of that
    format (`declared_format`: strimzi, terraform, topicctl, compose, ...): the fix speaks the
    file's language (a Strimzi KafkaTopic's spec.config, a Terraform config map)."""

    text: str
    format: str | None = None
    spell: bool = False  # the `key=value` settings after the command are written as the subject's file writes them

    def applies(self, values: Mapping[str, Any]) -> bool:
        if self.format is not None and values.get("declared_format") != self.format:
            return False
        return _all_known(self.text, values)


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    variants: tuple[Variant, ...]

    def placeholders(self) -> set[str]:
        return {name for variant in self.variants for name in PLACEHOLDER.findall(variant.text)}


@cache
def load_commands(path: Path) -> dict[str, Command]:
    """The commands file: name -> {description, variants}, in file order. InputError on any defect."""
    try:
        document = load_plain(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"commands file {path}: {' '.join(str(exc).split())}") from exc
    section = document.get("commands") if isinstance(document, dict) else None
    if not isinstance(section, dict) or not section:
        raise InputError(f"commands file {path}: needs a 'commands:' mapping")
    return {name: _command(path, name, spec) for name, spec in section.items()}


def _command(path: Path, name: str, spec: Any) -> Command:
    variants = spec.get("variants") if isinstance(spec, dict) else None
    description = spec.get("description") if isinstance(spec, dict) else None
    if not isinstance(description, str) or not isinstance(variants, list) or not variants:
        raise InputError(f"commands file {path}: {name}: needs a description and a non-empty list of variants")
    return Command(name, description.strip(), tuple(_variant(path, name, v) for v in variants))


def _variant(path: Path, name: str, spec: Any) -> Variant:
    """A variant: a string, or {text: STRING, format: NAME, spell: BOOL} (format and spell optional)."""
    if isinstance(spec, dict) and "text" in spec and set(spec) <= {"format", "text", "spell"}:
        text, file_format, spell = spec["text"], spec.get("format"), spec.get("spell", False)
    else:
        text, file_format, spell = spec, None, False
    valid = isinstance(text, str) and text.strip() and isinstance(spell, bool)
    if not valid or not (file_format is None or isinstance(file_format, str)):
        raise InputError(
            f"commands file {path}: {name}: every variant is a non-empty string or "
            "{text: STRING, format: NAME, spell: true|false}"
        )
    return Variant(" ".join(text.split()), file_format, spell)


def check_commands(commands: Mapping[str, Command], used: Iterable[str], known: set[str]) -> str | None:
    """The first placeholder a used command (or a command it uses) names that the subject kind does
    not know, or None: a command is checked against each kind whose rule fixes name it."""
    known = known | set(commands)
    for name in used:
        if name not in commands:
            continue
        placeholders = commands[name].placeholders()
        unknown = sorted(placeholders - known)
        if unknown:
            return f"{{{unknown[0]}}} (in command {{{name}}})"
        inner = check_commands(commands, sorted(placeholders & set(commands) - {name}), known)
        if inner is not None:
            return inner
    return None


def command_values(
    commands: Mapping[str, Command], values: Mapping[str, Any], named: Collection[str] | None = None
) -> dict[str, ShellText]:
    """Each command's text for one subject: its first variant with every placeholder known,
    rendered shell-quoted. Commands may name earlier commands of the file. With `named`
    (commands_named of the texts being filled), only those commands are rendered."""
    known: dict[str, Any] = dict(values)
    for command in commands.values():
        if named is not None and command.name not in named:
            continue
        variant = next((v for v in command.variants if v.applies(known)), command.variants[-1])
        text = render(variant.text, known, shell=True)
        known[command.name] = SpelledCommand(text) if variant.spell else ShellText(text)
    return {name: known[name] for name in commands if named is None or name in named}


def commands_named(commands: Mapping[str, Command], templates: Iterable[str]) -> frozenset[str]:
    """The commands the templates name, and the commands those name in turn: all a finding's
    texts need (a 60,000-partition cluster's findings each rendered all eleven otherwise)."""
    pending = [name for template in templates for name in PLACEHOLDER.findall(template) if name in commands]
    named: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in named:
            named.add(name)
            pending.extend(inner for inner in commands[name].placeholders() if inner in commands)
    return frozenset(named)


class SpelledCommand(ShellText):
    """A command whose variant spells the settings written after it in the subject's file's terms."""


# `{command} key=value` in a fix: the setting a command is followed by (a value ends before a
# sentence's full stop, a comma, a semicolon or a bracket).
SETTING_AFTER = re.compile(
    r"\{(?P<command>[a-z_]+)\} (?P<key>[a-z][a-z0-9._-]*)=(?P<value>\{[A-Za-z0-9_.]+\}|[^\s,;()]*[^\s,;().])"
)


def spell_settings(template: str, values: Mapping[str, Any]) -> str:
    """A fix's template with each `key=value` after a spelled command written as the subject's
    file writes it (its `setting_names`: KAFKA_CFG_MIN_INSYNC_REPLICAS=2 for a bitnami service,
    spring.kafka.producer.acks: all in a Spring YAML file); other settings stay as they are."""
    names = values.get("setting_names")
    if not isinstance(names, SettingNames):
        return template

    def spelled(match: re.Match[str]) -> str:
        if not isinstance(values.get(match["command"]), SpelledCommand):
            return match[0]
        return f"{{{match['command']}}} {names.assign(match['key'], match['value'])}"

    return SETTING_AFTER.sub(spelled, template)


def _all_known(template: str, values: Mapping[str, Any]) -> bool:
    return all(values.get(name) is not None for name in PLACEHOLDER.findall(template))
