"""What every format reader shares: its result, its options, and the client-config builder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from auditor.errors import InputError
from auditor.model import (
    BrokerSettings,
    ClientConfig,
    Configs,
    ConfigSource,
    ConfigValue,
    Connector,
    ConnectWorker,
    CoverageGap,
    DeclaredTopic,
    MirrorFlow,
    StreamsApp,
    StreamsHandler,
)
from auditor.sources.file_formats import KEY_VALUE
from auditor.sources.files.clientkeys import java_name, roles_of
from auditor.sources.files.values import Dialect, file_value


@dataclass(frozen=True)
class Found:
    """What one file declares."""

    clients: tuple[ClientConfig, ...] = ()
    brokers: tuple[BrokerSettings, ...] = ()
    topics: tuple[DeclaredTopic, ...] = ()
    gaps: tuple[CoverageGap, ...] = ()  # what the file holds that could not be understood
    workers: tuple[ConnectWorker, ...] = ()
    connectors: tuple[Connector, ...] = ()
    streams: tuple[StreamsApp, ...] = ()
    mirrors: tuple[MirrorFlow, ...] = ()
    handlers: tuple[StreamsHandler, ...] = ()  # Kafka Streams exception handlers written in Java
    # Files read as part of another declaration (a server.properties a compose broker mounts):
    # found alone in the same audit, they are not a second broker.
    mounted: tuple[Path, ...] = ()

    def __add__(self, other: Found) -> Found:
        return Found(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True)
class FileText:
    """A file chosen for reading: where it is, how findings name it, what it holds."""

    path: Path
    display: str
    text: str


def read_text(path: Path, display: str, explicit: bool = True) -> str | None:
    """The file's text: UTF-8, or ISO-8859-1 for key=value files as java.util.Properties reads them.

    None for a file found in a folder (not `explicit`) that is not text; a named one is an InputError.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {display}: {exc.strerror}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if path.suffix in KEY_VALUE:
            return data.decode("iso-8859-1")
        if not explicit:
            return None
        raise InputError(f"{display}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


@dataclass(frozen=True)
class ReadOptions:
    """--client NAME[@VERSION]: the library whose defaults apply, instead of the detected one."""

    client: str | None = None
    client_version: str | None = None

    def library(self, detected: str) -> tuple[str, str | None]:
        return (self.client, self.client_version) if self.client else (detected, None)


@dataclass(frozen=True)
class Entry:
    """One key as the file writes it, its raw value and line."""

    key: str
    value: str | None
    line: int | None
    path: str | None = None  # set when entries of several files are layered (Spring profile files)
    problem: str | None = None  # why a value that is set cannot be read (a list where Kafka wants one value)


def settings_of(entries: Iterable[Entry], path: str, dialect: Dialect, env: Mapping[str, str] | None = None) -> Configs:
    """Entries in file order; the last setting of a key wins."""
    settings: Configs = {}
    for entry in entries:
        settings.pop(entry.key, None)
        where = entry.path or path
        settings[entry.key] = (
            ConfigValue(entry.key, None, ConfigSource.FILE, where, entry.line, detail=entry.problem)
            if entry.problem
            else file_value(entry.key, entry.value, where, entry.line, dialect, env)
        )
    return settings


def client_config(
    entries: Iterable[Entry],
    path: str,
    library: str,
    version: str | None,
    dialect: Dialect = Dialect.PLAIN,
    name: str | None = None,
) -> ClientConfig | None:
    """A client configuration keyed by Java names; None when it is neither producer nor consumer."""
    renamed = [replace(e, key=java_name(e.key, library)) for e in entries]
    settings = settings_of(renamed, path, dialect)
    roles = roles_of(settings)
    if not roles:
        return None
    return ClientConfig(path=path, roles=roles, library=library, library_version=version, settings=settings, name=name)
