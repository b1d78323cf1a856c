"""Configuration files as a source: clients, brokers and declared topics, before they deploy.

`read_paths` takes the PATHs of the command line (files or folders), finds the files, detects
each one's format (auditor.sources.file_formats, the registry of formats), reads it with that
format's reader (or, for formats read per folder, with the other chosen files of its folder) and
returns what they declare. A file found in a folder that cannot be parsed is a coverage gap naming
file, line and problem; one named on the command line is an InputError (exit 2) raised before
anything is reported. A named file that parses but is not Kafka configuration is a gap ("not
recognised"), and so is one found in a folder that mentions Kafka.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from auditor.errors import InputError, InvalidSetting, Setting
from auditor.knowledge import build_names, defaults_for, spring_boot_manages
from auditor.model import (
    BrokerSettings,
    ClientConfig,
    Connector,
    ConnectWorker,
    CoverageGap,
    DeclaredTopic,
    MirrorFlow,
    StreamsApp,
    StreamsHandler,
    Target,
    TargetKind,
)
from auditor.sources.buildfiles import SPRING_BOOT, find_library, project_boundary
from auditor.sources.code import build_ecosystem
from auditor.sources.file_formats import (
    ALL_SUFFIXES,
    FORMATS,
    MENTIONS_KAFKA,
    Format,
    detect,
    mentions_kafka,
    quiet_when_unrecognised,
    skims,
)
from auditor.sources.files.base import FileText, Found, ReadOptions, read_text
from auditor.sources.files.keyvalue import SERVER_PROPERTIES
from auditor.sources.files.values import ParseError
from auditor.sources.files.walk import candidate_files

__all__ = ["FORMATS", "FilesRead", "ReadOptions", "parse_client_option", "read_paths"]


@dataclass(frozen=True)
class FilesRead:
    clients: tuple[ClientConfig, ...]
    brokers: tuple[BrokerSettings, ...]
    topics: tuple[DeclaredTopic, ...]
    targets: tuple[Target, ...]
    gaps: tuple[CoverageGap, ...] = ()
    workers: tuple[ConnectWorker, ...] = ()
    connectors: tuple[Connector, ...] = ()
    streams: tuple[StreamsApp, ...] = ()
    mirrors: tuple[MirrorFlow, ...] = ()
    handlers: tuple[StreamsHandler, ...] = ()


@dataclass(frozen=True)
class _File:
    path: Path
    display: str
    explicit: bool  # named on the command line (not found in a folder)


def parse_client_option(value: str) -> ReadOptions:
    """NAME[@VERSION] of the client library whose defaults apply, checked against the client knowledge."""
    from auditor.knowledge import defaults_for

    name, _, version = value.partition("@")
    try:
        defaults_for(name.strip(), version.strip() or None)
    except InputError as exc:
        raise InvalidSetting(Setting.CLIENT, str(exc), value=value) from exc
    return ReadOptions(client=name.strip(), client_version=version.strip() or None)


def read_paths(paths: Sequence[str], file_format: str | None = None, options: ReadOptions | None = None) -> FilesRead:
    """Every file under `paths`, read as `file_format` (a FORMATS name) or as detected. Raises InputError."""
    if file_format is not None and file_format not in FORMATS:
        raise InputError(f"unknown file format {file_format!r}; known: {', '.join(FORMATS)}")
    forced = FORMATS[file_format] if file_format is not None else None
    reading = _Reading(options or ReadOptions())
    by_folder: dict[tuple[str, Path | None], list[tuple[_File, FileText]]] = {}  # None: the whole audit
    for file in _files(paths, forced, reading.gaps):
        text = read_text(file.path, file.display, file.explicit)
        if text is None:  # found in a folder, not text: reported, not guessed at
            reading.gap(file, "not UTF-8 text; skipped")
            continue
        fmt = forced or reading.detect(file, text)
        if fmt is None:
            continue
        if fmt.reader is not None:
            reading.read([file], fmt, fmt.reader, text, file.display, reading.options, forced=forced is not None)
        else:  # read together with the other chosen files of its folder, or of the audit
            chosen = FileText(file.path, file.display, text)
            folder = file.path.parent if fmt.audit_reader is None else None
            by_folder.setdefault((fmt.name, folder), []).append((file, chosen))
    order = list(FORMATS)
    for (name, folder), files in sorted(by_folder.items(), key=lambda item: order.index(item[0][0])):
        fmt = FORMATS[name]
        if folder is not None:
            reading.read_folder(fmt, folder, files)
            continue
        context = {
            n: [t for (other, _), chosen in by_folder.items() if other == n for _, t in chosen] for n in fmt.context
        }
        reading.read_together(fmt, files, _audit_call(fmt, context, reading.options))
    if not reading.targets and not reading.gaps:
        reading.gaps.append(CoverageGap(", ".join(paths), NOTHING_FOUND))
    found = reading.found
    clients = found.clients if reading.options.client else tuple(_with_build_version(c) for c in found.clients)
    ranks = {file.display: n for n, file in enumerate(reading.seen)}
    targets = sorted(reading.targets, key=lambda t: ranks[t.name])  # in the order the files were found
    return FilesRead(
        clients,
        _not_mounted(found, reading.seen),
        found.topics,
        tuple(targets),
        tuple(reading.gaps) + found.gaps,
        found.workers,
        found.connectors,
        found.streams,
        found.mirrors,
        found.handlers,
    )


def _not_mounted(found: Found, seen: Sequence[_File]) -> tuple[BrokerSettings, ...]:
    """The brokers, without a server.properties found alone that a compose broker of the audit mounts:
    that file is the service's configuration (read as part of it), not a second broker."""
    mounted = set(found.mounted)
    files = {file.display: file.path.resolve() for file in seen}
    return tuple(b for b in found.brokers if not (b.format == SERVER_PROPERTIES and files.get(b.path) in mounted))


def _audit_call(
    fmt: Format, context: Mapping[str, Sequence[FileText]], options: ReadOptions
) -> Callable[[list[FileText]], Found]:
    """The format's audit reader, over the chosen files of its context formats."""
    read = fmt.audit_reader
    assert read is not None  # grouped for the whole audit only when it has one
    return lambda texts: read(texts, context, options)


def _with_build_version(config: ClientConfig) -> ClientConfig:
    """The client's version from the nearest build file beside or above its file that pins one
    (a Java client in a Spring Boot project: the kafka-clients line Boot manages); unchanged when
    none does or the version is outside the known ranges (then the assumed version is said)."""
    folder = Path(config.path).parent
    if config.library_version is not None or not folder.is_dir():
        return config
    boundary = project_boundary(folder)
    ecosystem = build_ecosystem(config.path)  # a client built in code: its language's build files only
    for name in build_names(config.library):
        found = find_library(folder, name, boundary, ecosystem)
        version = found.version.removeprefix("v") if found is not None and found.version else None  # go.mod: v1.43.0
        if found is not None and version is not None and _has_defaults(config.library, version):
            return replace(config, library_version=version, library_version_at=_shown(found.where))
    if config.library == "java":
        boot = find_library(folder, SPRING_BOOT, boundary, ecosystem)
        managed = spring_boot_manages(boot.version) if boot is not None and boot.version else None
        if boot is not None and managed is not None:
            source = f"managed by Spring Boot {boot.version}, {_shown(boot.where)}"
            return replace(config, library_version=managed, library_version_at=source)
    return config


def _has_defaults(library: str, version: str) -> bool:
    try:
        defaults_for(library, version)
    except InputError:
        return False
    return True


def _shown(where: str) -> str:
    """A build file's place relative to the working folder when it lies inside it."""
    try:
        return str(Path(where).relative_to(Path.cwd().resolve()))
    except ValueError:
        return where


NOTHING_FOUND = "no Kafka configuration found (no file kafka-audit reads under these paths)"
NOT_RECOGNISED = "not recognised as Kafka configuration kafka-audit reads; skipped (--file-format F reads it as F)"


def _files(paths: Sequence[str], forced: Format | None, gaps: list[CoverageGap]) -> Iterator[_File]:
    suffixes = frozenset(forced.suffixes) if forced else ALL_SUFFIXES
    for given in paths:
        path = Path(given)
        if not given.strip():
            raise InputError("an empty PATH names nothing to audit (to audit this folder, give '.')")
        if path.is_dir():
            _check_listable(path, given)
            for found, display in candidate_files(path, given, suffixes, gaps):
                yield _File(found, display, explicit=False)
        elif path.is_file():
            yield _File(path, given, explicit=True)
        else:
            raise InputError(f"{given}: no such file or folder")


def _check_listable(folder: Path, given: str) -> None:
    try:
        with os.scandir(folder):
            pass
    except OSError as exc:
        raise InputError(f"cannot read folder {given}: {exc.strerror}") from exc


class _Reading:
    """What the files read so far declare, and what could not be read (gaps).

    A file found in a folder never ends the audit: when it cannot be parsed in the syntax its name
    says, it is a gap naming file, line and problem. A file named on the command line that cannot
    be parsed is an InputError (exit 2); one that parses but is not Kafka configuration is a gap,
    unless --file-format named its format: then reading nothing from it is an InputError too.
    """

    def __init__(self, options: ReadOptions) -> None:
        self.options = options
        self.found = Found()
        self.targets: list[Target] = []
        self.gaps: list[CoverageGap] = []
        self.seen: list[_File] = []

    def gap(self, file: _File, reason: str) -> None:
        self.gaps.append(CoverageGap(file.display, reason))

    def detect(self, file: _File, text: str) -> Format | None:
        self.seen.append(file)
        if not file.explicit and not mentions_kafka(file.display, text):
            return None
        try:
            fmt = detect(file.display, text)
        except (ParseError, RecursionError) as exc:  # not in the syntax its name says
            self._unreadable([file], exc)
            return None
        walked_gap = skims(file.display) and not quiet_when_unrecognised(file.display) and MENTIONS_KAFKA.search(text)
        if fmt is None and (file.explicit or walked_gap):
            self.gap(file, NOT_RECOGNISED)
        return fmt

    def read(
        self, files: list[_File], fmt: Format, read: Callable[..., Found], *args: object, forced: bool = False
    ) -> None:
        """read(*args) as fmt; when it fails, a gap for each file found in a folder, exit 2 for a named one.
        A file the chosen format reads nothing from is a gap, not a file audited clean."""
        try:
            found = read(*args)
        except (ParseError, RecursionError) as exc:
            self._unreadable(files, exc)
            return
        if forced and found == Found():
            named = [file.display for file in files if file.explicit]
            if named:  # the user said what this file is, and it is not: exit 2, never a clean audit
                raise InvalidSetting(
                    Setting.FILE_FORMAT,
                    f"reads nothing Kafka-related from {', '.join(named)}, which is not a {fmt.name} file "
                    "(leave it out to detect the format)",
                    value=fmt.name,
                )
            for file in files:
                self.gap(file, f"nothing Kafka-related read as the chosen file format {fmt.name}")
            return
        if fmt.reader is not None:
            self.seen.extend(f for f in files if f not in self.seen)  # --file-format skips detect
        self.targets.extend(Target(kind=TargetKind.FILE, name=f.display, format=fmt.name) for f in files)
        self.found += found

    def read_folder(self, fmt: Format, folder: Path, files: list[tuple[_File, FileText]]) -> None:
        """The chosen files of one folder together."""
        read_folder = fmt.folder_reader
        assert read_folder is not None  # a Format has a reader, a folder reader or an audit reader
        self.read_together(fmt, files, lambda texts: read_folder(folder, texts, self.options))

    def read_together(
        self, fmt: Format, files: list[tuple[_File, FileText]], read: Callable[[list[FileText]], Found]
    ) -> None:
        """Files read by one call; a file that fails is left out and the rest read again."""
        self.seen.extend(f for f, _ in files if f not in self.seen)
        while files:
            try:
                found = read([text for _, text in files])
            except (ParseError, RecursionError) as exc:
                where = exc.path if isinstance(exc, ParseError) else None
                failed = [f for f, _ in files if f.display == where] or [f for f, _ in files]
                self._unreadable(failed, exc)
                files = [(f, t) for f, t in files if f not in failed]
                continue
            self.targets.extend(Target(kind=TargetKind.FILE, name=f.display, format=fmt.name) for f, _ in files)
            self.found += found
            return

    def _unreadable(self, files: list[_File], exc: BaseException) -> None:
        for file in files:
            problem = (
                exc.where(file.display) if isinstance(exc, ParseError) else f"{file.display}: nested too deeply to read"
            )
            if file.explicit:
                raise InputError(problem) from exc
            self.gap(file, f"cannot be read: {problem}")
