"""Client knowledge as data: what an omitted setting means per client library and version.

The data lives in client_defaults.yaml beside this module; this module loads it once, checks
its shape, and answers "which defaults apply to library L at version V".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.yamlread import load_plain

DATA_FILE = Path(__file__).with_name("client_defaults.yaml")
Version = tuple[int, ...]

_ENTRY_KEYS = {
    "client",
    "name",
    "versions",
    "assumed",
    "producer",
    "consumer",
    "idempotence_disabled_by",
    "when_idempotent",
    "transactional_id_enables_idempotence",
    "auto_commit_forced_false",
    "ack_mode",
    "idempotent_max_in_flight",
    "idempotent_requires_acks_all",
    "idempotent_requires_retries",
    "transactional_requires_idempotence",
    "unbounded",
}
_CONFLICT_KEYS = {"acks", "retries", "max.in.flight.requests.per.connection"}

ASSUMED = " (assumed)"  # a client label's suffix when no build file told the version


@dataclass(frozen=True)
class ClientDefaults:
    """The defaults of one client library over one version range."""

    client: str
    name: str
    version_from: Version | None
    version_below: Version | None
    producer: Mapping[str, str]
    consumer: Mapping[str, str]
    assumed: bool = False
    idempotence_disabled_by: frozenset[str] = frozenset()
    when_idempotent: Mapping[str, str] = field(default_factory=dict)
    transactional_id_enables_idempotence: bool = False
    auto_commit_forced_false: bool = False
    ack_mode: str | None = None
    idempotent_max_in_flight: int | None = None  # more in flight while idempotent: the client refuses to start
    idempotent_requires_acks_all: bool = False  # acks other than all while idempotent: the client refuses to start
    idempotent_requires_retries: bool = False  # retries=0 while idempotent: the client refuses to start
    transactional_requires_idempotence: bool = False  # transactional.id with idempotence set off: refused
    unbounded: frozenset[str] = frozenset()  # settings it has whose default is no limit at all

    def covers(self, version: Version) -> bool:
        low_ok = self.version_from is None or _pad(version) >= _pad(self.version_from)
        high_ok = self.version_below is None or _pad(version) < _pad(self.version_below)
        return low_ok and high_ok

    def label(self, version: str | None, source: str | None = None) -> str:
        """'Java kafka-clients 3.9.1 (pom.xml:14)', or the range with '(assumed)' when no version was known."""
        if version is None:
            return f"{self.name} {self.range_text()}{ASSUMED}"
        managed = spring_boot_manages(version) if self.client == "spring" else None
        told = ", ".join(part for part in (f"kafka-clients {managed}" if managed else None, source) if part)
        return f"{self.name} {version}" + (f" ({told})" if told else "")

    def range_text(self) -> str:
        low = _text(self.version_from)
        high = _text(self.version_below)
        if low and high:
            return f">={low},<{high}"
        return f">={low}" if low else f"<{high}"


def parse_version(text: str) -> Version | None:
    """'3.9.1' -> (3, 9, 1); '2.x' -> (2,); None when it does not start with a number."""
    parts: list[int] = []
    for piece in text.strip().split("."):
        match = re.match(r"\d+", piece)
        if match is None:
            break
        parts.append(int(match.group()))
        if match.end() != len(piece):
            break
    return tuple(parts) or None


def defaults_for(client: str, version: str | None) -> ClientDefaults:
    """The entry for this client and version (the assumed entry when version is None)."""
    entries = [e for e in client_defaults() if e.client == client]
    if not entries:
        raise InputError(f"no client defaults known for {client!r}; known: {', '.join(known_clients())}")
    if version is None:
        return next(e for e in entries if e.assumed)
    parsed = parse_version(version)
    if parsed is None:
        raise InputError(f"client version {version!r} of {client} is not a version number")
    for entry in entries:
        if entry.covers(parsed):
            return entry
    ranges = "; ".join(e.range_text() for e in entries)
    raise InputError(f"no client defaults known for {client} {version}; known ranges: {ranges}")


def known_clients() -> list[str]:
    return sorted({e.client for e in client_defaults()})


@cache
def client_defaults() -> tuple[ClientDefaults, ...]:
    entries = tuple(_entry(index, spec) for index, spec in enumerate(_document()["clients"]))
    _check_assumed(entries)
    return entries


@cache
def _document() -> dict[str, Any]:
    document = load_plain(DATA_FILE.read_text(encoding="utf-8"))
    unknown = set(document) - {"clients", "spring_boot_manages", "build_names"}
    if unknown:
        raise ValueError(f"{DATA_FILE.name}: unknown top-level key(s) {sorted(unknown)}")
    return dict(document)


def build_names(client: str) -> tuple[str, ...]:
    """The libraries whose version in a build file is this client's (auditor.sources.buildfiles names)."""
    return tuple(str(name) for name in _document().get("build_names", {}).get(client, ()))


def spring_boot_manages(boot_version: str) -> str | None:
    """The kafka-clients line ('2.3.x') Spring Boot's dependency management pins for this Boot version."""
    parsed = parse_version(boot_version)
    if parsed is None or len(parsed) < 2:
        return None
    managed = _document().get("spring_boot_manages", {}).get(f"{parsed[0]}.{parsed[1]}")
    return str(managed) if managed is not None else None


def _entry(index: int, spec: Mapping[str, Any]) -> ClientDefaults:
    where = f"{DATA_FILE.name} entry #{index + 1}"
    unknown = set(spec) - _ENTRY_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
    disabled_by = frozenset(spec.get("idempotence_disabled_by", ()))
    if not disabled_by <= _CONFLICT_KEYS:
        raise ValueError(f"{where}: idempotence_disabled_by may only name {sorted(_CONFLICT_KEYS)}")
    versions = spec["versions"]
    return ClientDefaults(
        client=str(spec["client"]),
        name=str(spec["name"]),
        version_from=_bound(versions.get("from"), where),
        version_below=_bound(versions.get("below"), where),
        producer=_strings(spec["producer"], where),
        consumer=_strings(spec["consumer"], where),
        assumed=bool(spec.get("assumed", False)),
        idempotence_disabled_by=disabled_by,
        when_idempotent=_strings(spec.get("when_idempotent", {}), where),
        transactional_id_enables_idempotence=bool(spec.get("transactional_id_enables_idempotence", False)),
        auto_commit_forced_false=bool(spec.get("auto_commit_forced_false", False)),
        ack_mode=spec.get("ack_mode"),
        idempotent_max_in_flight=_limit(spec.get("idempotent_max_in_flight"), where),
        idempotent_requires_acks_all=_flag(spec, "idempotent_requires_acks_all", where),
        idempotent_requires_retries=_flag(spec, "idempotent_requires_retries", where),
        transactional_requires_idempotence=_flag(spec, "transactional_requires_idempotence", where),
        unbounded=frozenset(str(key) for key in spec.get("unbounded", ())),
    )


def _flag(spec: Mapping[str, Any], key: str, where: str) -> bool:
    raw = spec.get(key, False)
    if not isinstance(raw, bool):
        raise ValueError(f"{where}: {key} must be true or false")
    return raw


def _limit(raw: Any, where: str) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
        raise ValueError(f"{where}: idempotent_max_in_flight must be a positive whole number")
    return raw


def _bound(raw: Any, where: str) -> Version | None:
    if raw is None:
        return None
    version = parse_version(str(raw))
    if version is None:
        raise ValueError(f"{where}: {raw!r} is not a version")
    return version


def _strings(raw: Mapping[str, Any], where: str) -> dict[str, str]:
    if not all(isinstance(v, str) for v in raw.values()):
        raise ValueError(f"{where}: default values must be strings (quote numbers and booleans)")
    return dict(raw)


def _check_assumed(entries: tuple[ClientDefaults, ...]) -> None:
    for client in {e.client for e in entries}:
        assumed = [e for e in entries if e.client == client and e.assumed]
        if len(assumed) != 1:
            raise ValueError(f"{DATA_FILE.name}: client {client} needs exactly one assumed entry")


def _pad(version: Version) -> Version:
    return version + (0,) * (4 - len(version))


def _text(version: Version | None) -> str:
    return ".".join(map(str, version)) if version else ""
