"""Component knowledge as data: what an omitted setting means in Connect, Streams and MirrorMaker 2.

The data lives in component_defaults.yaml beside this module: one entry per component and Kafka
version range, exactly one of them `assumed` (used when nothing tells the version).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auditor.knowledge import Version, _bound, _pad, _text, parse_version  # one version grammar for all knowledge
from auditor.yamlread import load_plain

DATA_FILE = Path(__file__).with_name("component_defaults.yaml")
COMPONENTS = ("connect-worker", "connector", "streams", "mirrormaker2")
_ENTRY_KEYS = {"component", "name", "versions", "assumed", "settings"}


@dataclass(frozen=True)
class ComponentDefaults:
    component: str
    name: str
    version_from: Version | None
    version_below: Version | None
    settings: Mapping[str, str]
    assumed: bool = False

    def covers(self, version: Version) -> bool:
        low_ok = self.version_from is None or _pad(version) >= _pad(self.version_from)
        high_ok = self.version_below is None or _pad(version) < _pad(self.version_below)
        return low_ok and high_ok

    def label(self, version: str | None) -> str:
        """'Kafka Streams 2.8.1', or 'Kafka Streams >=4.0 (assumed)' when no version was known."""
        if version is not None and parse_version(version) is not None:
            return f"{self.name} {version}"
        low, high = _text(self.version_from), _text(self.version_below)
        if not low and not high:
            return self.name
        span = f">={low},<{high}" if low and high else f">={low}" if low else f"<{high}"
        return f"{self.name} {span} (assumed)"


def component_defaults_for(component: str, version: str | None) -> ComponentDefaults:
    """The entry for this component at this version; the assumed one when the version is not known."""
    entries = [e for e in component_defaults() if e.component == component]
    parsed = parse_version(version) if version else None
    if parsed is not None:
        for entry in entries:
            if entry.covers(parsed):
                return entry
    return next(e for e in entries if e.assumed)


@cache
def component_defaults() -> tuple[ComponentDefaults, ...]:
    document = load_plain(DATA_FILE.read_text(encoding="utf-8"))
    entries = tuple(_entry(index, spec) for index, spec in enumerate(document["components"]))
    for component in COMPONENTS:
        if sum(1 for e in entries if e.component == component and e.assumed) != 1:
            raise ValueError(f"{DATA_FILE.name}: component {component} needs exactly one assumed entry")
    return entries


def _entry(index: int, spec: Mapping[str, Any]) -> ComponentDefaults:
    where = f"{DATA_FILE.name} entry #{index + 1}"
    if set(spec) - _ENTRY_KEYS or spec.get("component") not in COMPONENTS:
        raise ValueError(f"{where}: unknown key(s) {sorted(set(spec) - _ENTRY_KEYS)} or component")
    settings = spec["settings"]
    if not all(isinstance(v, str) for v in settings.values()):
        raise ValueError(f"{where}: default values must be strings (quote numbers and booleans)")
    versions = spec["versions"]
    return ComponentDefaults(
        component=str(spec["component"]),
        name=str(spec["name"]),
        version_from=_bound(versions.get("from"), where),
        version_below=_bound(versions.get("below"), where),
        settings=dict(settings),
        assumed=bool(spec.get("assumed", False)),
    )
