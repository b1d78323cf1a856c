"""Broker image knowledge as data: how each image family maps a container's configuration.

The data lives in broker_images.yaml beside this module: per image family and tag version range,
the variable prefix, legacy aliases, the image's own variables, the server.properties it starts
from and where a mounted server.properties is read from. auditor.sources.files.compose applies it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from auditor.knowledge import Version, _bound, _pad, parse_version

DATA_FILE = Path(__file__).with_name("broker_images.yaml")
_ENTRY_KEYS = {
    "family",
    "name",
    "images",
    "versions",
    "assumed",
    "prefix",
    "aliases",
    "own",
    "ignored_said",
    "base",
    "config_dirs",
    "create_topics",
}
BASE_WHEN = ("always", "no-settings")


@dataclass(frozen=True)
class BaseConfig:
    """The server.properties an image starts from: what it sets, in the data's words."""

    name: str
    description: str
    settings: Mapping[str, str]


@dataclass(frozen=True)
class BrokerImage:
    """How one image family, over one tag version range, turns variables into broker settings."""

    family: str
    name: str
    patterns: tuple[re.Pattern[str], ...]
    version_from: Version | None
    version_below: Version | None
    prefix: str
    aliases: frozenset[str]  # full variable names copied to prefix + suffix
    alias_prefix: str
    own: frozenset[str]
    ignored_said: bool
    base: BaseConfig | None
    base_when: str
    config_dirs: tuple[str, ...]
    create_topics: bool
    assumed: bool

    def covers(self, version: Version) -> bool:
        low_ok = self.version_from is None or _pad(version) >= _pad(self.version_from)
        high_ok = self.version_below is None or _pad(version) < _pad(self.version_below)
        return low_ok and high_ok

    def property_name(self, variable: str) -> str | None:
        """The broker property a variable sets in this image, or None (the image's own, or not mapped)."""
        if variable in self.aliases:
            variable = self.prefix + variable[len(self.alias_prefix) :]
        if not variable.startswith(self.prefix) or variable in self.own or variable.startswith("KAFKA_JMX_"):
            return None
        return variable_property(variable[len(self.prefix) :])

    def ignored(self, variable: str) -> str | None:
        """The judged broker setting a variable seems to set but this image ignores, or None."""
        if not self.ignored_said or not variable.startswith(self.alias_prefix) or variable in self.aliases:
            return None
        if variable.startswith(self.prefix):
            return None
        name = variable_property(variable[len(self.alias_prefix) :])
        return name if name in judged_settings() else None


def variable_property(rest: str) -> str | None:
    """FOO_BAR -> foo.bar, with `__` -> `_` and `___` -> `-` (the images' shared convention)."""
    if not rest:
        return None
    return rest.replace("___", "-").replace("__", "\0").replace("_", ".").replace("\0", "_").lower()


def image_for(image: str) -> BrokerImage | None:
    """The entry of the image a compose service names (`bitnami/kafka:3.7`), or None when it is no broker image."""
    image = image.strip()
    entries = [e for e in broker_images() if any(p.search(image) for p in e.patterns)]
    if not entries:
        return None
    version = _tag_version(image)
    if version is not None:
        for entry in entries:
            if entry.covers(version):
                return entry
    return next(e for e in entries if e.assumed)


def assumed(family: str) -> BrokerImage:
    return next(e for e in broker_images() if e.family == family and e.assumed)


def _tag_version(image: str) -> Version | None:
    """The version a tag tells (`3.7`, `3.7.0-debian-12-r0`); None for `latest`, a digest or no tag."""
    name = image.split("@", 1)[0]
    tail = name.rsplit("/", 1)[-1]
    _, sep, tag = tail.partition(":")
    return parse_version(tag) if sep else None


@cache
def all_base_keys() -> tuple[str, ...]:
    """Every key some image's base server.properties sets (what an unknown image may have set)."""
    return tuple(sorted({key for e in broker_images() if e.base for key in e.base.settings}))


@cache
def judged_settings() -> frozenset[str]:
    return frozenset(str(key) for key in _document()["judged_settings"])


@cache
def broker_images() -> tuple[BrokerImage, ...]:
    document = _document()
    bases = {name: _base(name, spec) for name, spec in document["bases"].items()}
    entries = tuple(_entry(index, spec, bases) for index, spec in enumerate(document["images"]))
    for family in {e.family for e in entries}:
        if sum(e.assumed for e in entries if e.family == family) != 1:
            raise ValueError(f"{DATA_FILE.name}: image family {family} needs exactly one assumed entry")
    return entries


@cache
def _document() -> dict[str, Any]:
    document = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    unknown = set(document) - {"bases", "judged_settings", "images"}
    if unknown:
        raise ValueError(f"{DATA_FILE.name}: unknown top-level key(s) {sorted(unknown)}")
    return dict(document)


def _base(name: str, spec: Mapping[str, Any]) -> BaseConfig:
    settings = spec["settings"]
    if not all(isinstance(v, str) for v in settings.values()):
        raise ValueError(f"{DATA_FILE.name}: base {name}: values must be strings")
    return BaseConfig(name, str(spec["description"]), dict(settings))


def _entry(index: int, spec: Mapping[str, Any], bases: Mapping[str, BaseConfig]) -> BrokerImage:
    where = f"{DATA_FILE.name} image #{index + 1}"
    unknown = set(spec) - _ENTRY_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
    aliases = spec.get("aliases") or {}
    alias_prefix = str(aliases.get("from_prefix", spec["prefix"]))
    names = [*aliases.get("names", ()), *aliases.get("extra", ())]
    base = spec["base"]
    if base["config"] != "none" and base["config"] not in bases:
        raise ValueError(f"{where}: unknown base config {base['config']!r}")
    if base["when"] not in BASE_WHEN:
        raise ValueError(f"{where}: base when must be one of {BASE_WHEN}")
    versions = spec.get("versions") or {}
    return BrokerImage(
        family=str(spec["family"]),
        name=str(spec["name"]),
        patterns=tuple(re.compile(p) for p in spec["images"]),
        version_from=_bound(versions.get("from"), where),
        version_below=_bound(versions.get("below"), where),
        prefix=str(spec["prefix"]),
        aliases=frozenset(alias_prefix + str(n) for n in names),
        alias_prefix=alias_prefix,
        own=frozenset(str(v) for v in spec.get("own", ())),
        ignored_said=bool(spec.get("ignored_said", False)),
        base=bases.get(base["config"]),
        base_when=str(base["when"]),
        config_dirs=tuple(str(d) for d in spec.get("config_dirs", ())),
        create_topics=bool(spec.get("create_topics", False)),
        assumed=bool(spec.get("assumed", False)),
    )
