"""The policy file (.kafka-audit.yaml or --policy): how a team tunes the catalog without forking it.

    extends: default | strict        # a built-in profile (auditor/profiles/) to start from
    fail_on: high                    # critical | high | medium | low | info | never
    internal_topics: true            # audit __consumer_offsets & co.
    include: {topics: [REGEX], groups: [REGEX]}
    exclude: {topics: [REGEX], groups: [REGEX]}
    rules:
      STO006: {off: true}            # a rule id or name
      min-insync-replicas: {severity: critical, params: {min_insync_replicas: 3}}
    waivers: [...]                   # see auditor/waivers.py
    services: {...}                  # see auditor/sources/services.py
    clusters: [...]                  # a fleet's inventory, see auditor/fleet.py
    broker_defaults:                 # what brokers outside the audit use, for topics that inherit it
      min.insync.replicas: 2
      unclean.leader.election.enable: false

Unknown keys, rules, params or values are input errors (exit 2) naming the file and line.
Regexes are searched in topic and group names, in RE2 syntax (auditor.userregex: linear time).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.engine import Rule
from auditor.errors import InputError
from auditor.facts import Subject
from auditor.facts.defaults import INHERITED_FACTS
from auditor.findings import Severity, Waiver
from auditor.model import ConfigSource, ConfigValue, Kind
from auditor.policy import FAIL_ON_CHOICES
from auditor.userregex import compile_user_regex, user_regex
from auditor.waivers import parse_waivers
from auditor.yamlread import Located, load_located

POLICY_FILES = (".kafka-audit.yaml", ".kafka-audit.yml")
PROFILES_DIR = Path(__file__).parent / "profiles"
TOP_KEYS = (
    "extends",
    "fail_on",
    "internal_topics",
    "include",
    "exclude",
    "rules",
    "waivers",
    "services",
    "clusters",
    "broker_defaults",
)
SCOPE_KEYS = ("topics", "groups")
RULE_KEYS = ("severity", "off", "params")


@dataclass(frozen=True)
class RuleTuning:
    severity: Severity | None = None
    off: bool | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def over(self, base: RuleTuning) -> RuleTuning:
        return RuleTuning(
            severity=self.severity or base.severity,
            off=base.off if self.off is None else self.off,
            params={**base.params, **self.params},
        )


@dataclass(frozen=True)
class RawSection:
    """A section the policy carries as written, for the layer that owns its meaning to parse."""

    value: Any
    where: str  # file:line, for that layer's errors
    folder: Path  # relative paths in it are relative to the policy file's folder


@dataclass(frozen=True)
class Policy:
    source: str = "built-in default"
    fail_on: str | None = None
    internal_topics: bool | None = None
    include: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rules: Mapping[str, RuleTuning] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    services: RawSection | None = None  # the services manifest, parsed by auditor.audit.declared_services
    clusters: RawSection | None = None  # a fleet's inventory, parsed by auditor.fleet.parse_inventory
    broker_defaults: Mapping[str, ConfigValue] = field(default_factory=dict)  # key -> value, with its line

    def over(self, base: Policy) -> Policy:
        """This policy on top of `base` (what it extends): scalars win, lists add up."""
        return Policy(
            source=self.source,
            fail_on=self.fail_on or base.fail_on,
            internal_topics=base.internal_topics if self.internal_topics is None else self.internal_topics,
            include={k: base.include.get(k, ()) + self.include.get(k, ()) for k in SCOPE_KEYS},
            exclude={k: base.exclude.get(k, ()) + self.exclude.get(k, ()) for k in SCOPE_KEYS},
            rules={
                rid: self.rules.get(rid, RuleTuning()).over(base.rules.get(rid, RuleTuning()))
                for rid in {*base.rules, *self.rules}
            },
            waivers=base.waivers + self.waivers,
            services=self.services or base.services,
            clusters=self.clusters or base.clusters,
            broker_defaults={**base.broker_defaults, **self.broker_defaults},
        )

    def tune(self, rules: Iterable[Rule]) -> list[Rule]:
        """The rules with this policy's severities and params; rules turned off are left out."""
        tuned = []
        for rule in rules:
            tuning = self.rules.get(rule.id)
            if tuning is None:
                tuned.append(rule)
            elif not tuning.off:
                tuned.append(replace(rule, params={**rule.params, **tuning.params}, severity_override=tuning.severity))
        return tuned

    def selects(self, subject: Subject) -> bool:
        """Whether the subject is in scope: internal topics, include/exclude of topics and groups."""
        return self._selects(*_scope_key(subject))

    def _selects(self, internal: bool, topic: str | None, group: str | None) -> bool:
        if self.internal_topics is False and internal:
            return False
        for scope, name in (("topics", topic), ("groups", group)):
            if name is None:
                continue
            includes, excludes = self.include.get(scope, ()), self.exclude.get(scope, ())
            if includes and not any(user_regex(p).search(name) for p in includes):
                return False
            if any(user_regex(p).search(name) for p in excludes):
                return False
        return True

    def scope(self, subjects: Mapping[Kind, list[Subject]]) -> dict[Kind, list[Subject]]:
        """The subjects in scope, each (internal, topic, group) decided once: a topic's partitions
        and its offsets in every group repeat them."""
        decided: dict[tuple[bool, str | None, str | None], bool] = {}

        def selected(subject: Subject) -> bool:
            key = _scope_key(subject)
            answer = decided.get(key)
            if answer is None:
                answer = decided[key] = self._selects(*key)
            return answer

        return {kind: [s for s in items if selected(s)] for kind, items in subjects.items()}


def _scope_key(subject: Subject) -> tuple[bool, str | None, str | None]:
    """What of a subject its scope depends on: whether it is internal, its topic and group."""
    internal = subject.facts.get("internal")
    return internal is not None and internal.value is True, subject.scope.topic, subject.scope.group


def rule_index(rules: Iterable[Rule]) -> dict[str, Rule]:
    """Every rule by id and by name: names are accepted wherever an id is."""
    index: dict[str, Rule] = {}
    for rule in rules:
        index[rule.id] = rule
        index[rule.name] = rule
    return index


def find_policy(explicit: Path | None, cwd: Path | None = None) -> Path | None:
    """--policy FILE, else the nearest policy from the working folder up to the repository root.

    In each folder, in this order: .kafka-audit.yaml, .kafka-audit.yml, pyproject.toml with a
    [tool.kafka-audit] table. The search stops at the folder holding .git (or the filesystem root).
    """
    if explicit is not None:
        return explicit
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        found = _policy_in(folder)
        if found is not None:
            return found
        if (folder / ".git").exists():
            break
    return None


def _policy_in(folder: Path) -> Path | None:
    files = [folder / name for name in POLICY_FILES if (folder / name).is_file()]
    if len(files) > 1:
        raise InputError(f"{folder}: both {files[0].name} and {files[1].name}: keep one policy file")
    if files:
        return files[0]
    pyproject = folder / "pyproject.toml"
    return pyproject if pyproject.is_file() and _has_tool_table(pyproject) else None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*[\"']?kafka-audit[\"']?\s*[\].]", text, re.MULTILINE) is not None


def _pyproject_policy(path: Path) -> Located:
    """[tool.kafka-audit] of a pyproject.toml as a policy document (lines: the table's header)."""
    if sys.version_info >= (3, 11):  # imported here: only a pyproject.toml policy needs a TOML parser
        import tomllib
    else:  # pragma: no cover - the backport on 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from exc
    table = document.get("tool", {}).get("kafka-audit")
    if not isinstance(table, dict):
        raise InputError(f"{path}: no [tool.kafka-audit] table")
    text = path.read_text(encoding="utf-8")
    header = re.search(r"^\s*\[\s*tool\s*\.\s*[\"']?kafka-audit", text, re.MULTILINE)
    line = text.count("\n", 0, header.start()) + 1 if header else 1
    located: Located = _located(table, str(path), line)
    return located


def _located(value: Any, path: str, line: int) -> Any:
    if isinstance(value, dict):
        mapping = Located(path, line)
        for key, item in value.items():
            mapping.key_lines[str(key)] = line
            mapping[str(key)] = _located(item, path, line)
        return mapping
    if isinstance(value, list):
        return [_located(item, path, line) for item in value]
    return value


def load_policy(path: Path | None, rules: Iterable[Rule]) -> Policy:
    """The policy at `path` over the profile it extends (default when none); InputError on any defect."""
    index = rule_index(rules)
    if path is None:
        return profile("default", index)
    document = _pyproject_policy(path) if path.name == "pyproject.toml" else load_located(path)
    if document is None:
        document = Located(str(path), 1)
    if not isinstance(document, Located):
        raise InputError(f"{path}:1: a policy file must be a mapping")
    own = parse_policy(document, index)
    return own.over(profile(_extends(document), index))


def profile(name: str, index: Mapping[str, Rule]) -> Policy:
    document = load_located(PROFILES_DIR / f"{name}.yaml")
    return parse_policy(document, index, source=f"built-in {name}")


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def _extends(document: Located) -> str:
    name = document.get("extends", "default")
    if name not in profile_names():
        raise InputError(
            f"{document.where('extends')}: unknown profile {name!r}; built-in: {', '.join(profile_names())}"
        )
    return str(name)


def parse_policy(document: Located, index: Mapping[str, Rule], source: str | None = None) -> Policy:
    _known_keys(document, TOP_KEYS, "policy key")
    fail_on = document.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON_CHOICES:
        raise InputError(f"{document.where('fail_on')}: fail_on must be one of {', '.join(FAIL_ON_CHOICES)}")
    internal = document.get("internal_topics")
    if internal is not None and not isinstance(internal, bool):
        raise InputError(f"{document.where('internal_topics')}: internal_topics must be true or false")
    ids = {key: rule.id for key, rule in index.items()}
    return Policy(
        source=source or document.path,
        fail_on=None if fail_on is None else str(fail_on),
        internal_topics=internal,
        include=_scope(document, "include"),
        exclude=_scope(document, "exclude"),
        rules=_rules(document, index),
        waivers=parse_waivers(document["waivers"], document.where("waivers"), ids) if "waivers" in document else (),
        services=_services(document),
        clusters=_clusters(document),
        broker_defaults=_broker_defaults(document),
    )


def _broker_defaults(document: Located) -> dict[str, ConfigValue]:
    """`broker_defaults:` key -> value: what the brokers that are not in the audit use, for the
    declared topics that leave the key to them (auditor.facts.inherited)."""
    section = document.get("broker_defaults")
    if section is None:
        return {}
    if not isinstance(section, Located):
        raise InputError(f"{document.where('broker_defaults')}: broker_defaults must map broker settings to values")
    _known_keys(section, tuple(INHERITED_FACTS.values()), "broker_defaults key")
    declared: dict[str, ConfigValue] = {}
    for key, value in section.items():
        text = _broker_default(key, value, section.where(key))
        line = section.key_lines.get(key, section.line)
        declared[key] = ConfigValue(key, text, ConfigSource.POLICY, path=section.path, line=line)
    return declared


def _broker_default(key: str, value: Any, where: str) -> str:
    if key == "unclean.leader.election.enable":
        if not isinstance(value, bool):
            raise InputError(f"{where}: broker_defaults.{key} must be true or false")
        return "true" if value else "false"
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{where}: broker_defaults.{key} must be a whole number of at least 1")
    return str(value)


def _clusters(document: Located) -> RawSection | None:
    if "clusters" not in document:
        return None
    return RawSection(document["clusters"], document.where("clusters"), Path(document.path).parent)


def _services(document: Located) -> RawSection | None:
    if "services" not in document:
        return None
    return RawSection(document["services"], document.where("services"), Path(document.path).parent)


def _scope(document: Located, key: str) -> dict[str, tuple[str, ...]]:
    section = document.get(key)
    if section is None:
        return {}
    if not isinstance(section, Located):
        raise InputError(f"{document.where(key)}: {key} must map topics/groups to lists of regexes")
    _known_keys(section, SCOPE_KEYS, f"{key} key")
    scope: dict[str, tuple[str, ...]] = {}
    for name, patterns in section.items():
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise InputError(f"{section.where(name)}: {key}.{name} must be a list of regexes")
        for pattern in patterns:
            compile_user_regex(pattern, f"{section.where(name)}: {key}.{name}")
        scope[name] = tuple(patterns)
    return scope


def _rules(document: Located, index: Mapping[str, Rule]) -> dict[str, RuleTuning]:
    section = document.get("rules")
    if section is None:
        return {}
    if not isinstance(section, Located):
        raise InputError(f"{document.where('rules')}: rules must map rule ids or names to settings")
    tunings: dict[str, RuleTuning] = {}
    for key, settings in section.items():
        rule = index.get(key)
        if rule is None:
            raise InputError(f"{section.where(key)}: unknown rule {key!r}")
        if rule.id in tunings:
            raise InputError(f"{section.where(key)}: rule {rule.id} is set twice (by id and by name)")
        tunings[rule.id] = _rule_tuning(rule, settings, section.where(key))
    return tunings


def _rule_tuning(rule: Rule, settings: Any, where: str) -> RuleTuning:
    if not isinstance(settings, Located):
        raise InputError(f"{where}: settings of {rule.id} must be a mapping of {', '.join(RULE_KEYS)}")
    _known_keys(settings, RULE_KEYS, f"setting of {rule.id}")
    severity = settings.get("severity")
    if severity is not None and severity not in {s.value for s in Severity}:
        raise InputError(
            f"{settings.where('severity')}: severity must be one of {', '.join(s.value for s in Severity)}"
        )
    off = settings.get("off")
    if off is not None and not isinstance(off, bool):
        raise InputError(f"{settings.where('off')}: off must be true or false")
    return RuleTuning(
        severity=None if severity is None else Severity(severity),
        off=off,
        params=_params(rule, settings.get("params"), settings),
    )


def _params(rule: Rule, params: Any, settings: Located) -> dict[str, Any]:
    if params is None:
        return {}
    if not isinstance(params, Located):
        raise InputError(f"{settings.where('params')}: params of {rule.id} must be a mapping")
    for name, value in params.items():
        if name not in rule.params:
            known = ", ".join(rule.params) or "none"
            raise InputError(f"{params.where(name)}: {rule.id} has no param {name!r}; its params: {known}")
        if not _same_kind(value, rule.params[name]):
            raise InputError(f"{params.where(name)}: param {name} of {rule.id} must be like {rule.params[name]!r}")
        if _is_number(value) and not (math.isfinite(value) and value >= 0):
            # every numeric param is a count, a share or a duration: NaN compares false with
            # everything and a negative or infinite threshold would turn the rule off silently
            raise InputError(f"{params.where(name)}: param {name} of {rule.id} must be a number >= 0, not {value!r}")
    return dict(params)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_kind(value: Any, default: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _known_keys(mapping: Located, known: Iterable[str], what: str) -> None:
    allowed = list(known)
    for key in mapping:
        if key not in allowed:
            raise InputError(f"{mapping.where(key)}: unknown {what} {key!r}; known: {', '.join(allowed)}")
