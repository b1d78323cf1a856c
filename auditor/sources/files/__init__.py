"""Configuration files as a source: clients, brokers and declared topics, before they deploy.

`read_paths` takes the PATHs of the command line (files or folders), finds the files, detects
each one's format (auditor.sources.file_formats, the registry of formats), reads it with that
format's reader (or, for formats read per folder, with the other chosen files of its folder) and
returns what they declare. A file that cannot be read is an InputError naming file, line and
problem, raised before anything is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from auditor.errors import InputError
from auditor.model import BrokerSettings, ClientConfig, CoverageGap, DeclaredTopic, Target, TargetKind
from auditor.sources.file_formats import ALL_SUFFIXES, FORMATS, Format, detect, mentions_kafka
from auditor.sources.files.base import FileText, Found, ReadOptions, read_text
from auditor.sources.files.values import ParseError
from auditor.sources.files.walk import candidate_files

T = TypeVar("T")
__all__ = ["FORMATS", "FilesRead", "ReadOptions", "parse_client_option", "read_paths"]


@dataclass(frozen=True)
class FilesRead:
    clients: tuple[ClientConfig, ...]
    brokers: tuple[BrokerSettings, ...]
    topics: tuple[DeclaredTopic, ...]
    targets: tuple[Target, ...]
    gaps: tuple[CoverageGap, ...] = ()


@dataclass(frozen=True)
class _File:
    path: Path
    display: str
    explicit: bool  # named on the command line (not found in a folder)


def parse_client_option(value: str) -> ReadOptions:
    """--client NAME[@VERSION], checked against the client knowledge."""
    from auditor.knowledge import defaults_for

    name, _, version = value.partition("@")
    try:
        defaults_for(name.strip(), version.strip() or None)
    except InputError as exc:
        raise InputError(f"--client {value}: {exc}") from exc
    return ReadOptions(client=name.strip(), client_version=version.strip() or None)


def read_paths(paths: Sequence[str], file_format: str | None = None, options: ReadOptions | None = None) -> FilesRead:
    """Every file under `paths`, read as `file_format` (a FORMATS name) or as detected. Raises InputError."""
    if file_format is not None and file_format not in FORMATS:
        raise InputError(f"unknown file format {file_format!r}; known: {', '.join(FORMATS)}")
    forced = FORMATS[file_format] if file_format is not None else None
    options = options or ReadOptions()
    found = Found()
    targets: list[Target] = []
    by_folder: dict[tuple[str, Path], list[tuple[_File, FileText]]] = {}
    gaps: list[CoverageGap] = []
    for file in _files(paths, forced):
        text = read_text(file.path, file.display, file.explicit)
        if text is None:  # found in a folder, not text: reported, not guessed at
            gaps.append(CoverageGap(file.display, "not UTF-8 text; skipped"))
            continue
        fmt = forced or _detect(file, text)
        if fmt is None:
            continue
        targets.append(Target(kind=TargetKind.FILE, name=file.display, format=fmt.name))
        if fmt.reader is not None:
            found += _parse(file, fmt.reader, text, file.display, options)
        else:  # read together with the other chosen files of its folder
            chosen = FileText(file.path, file.display, text)
            by_folder.setdefault((fmt.name, file.path.parent), []).append((file, chosen))
    order = list(FORMATS)
    for (name, folder), files in sorted(by_folder.items(), key=lambda item: order.index(item[0][0])):
        read_folder = FORMATS[name].folder_reader
        assert read_folder is not None  # a Format has a reader or a folder reader
        found += _parse(files[0][0], read_folder, folder, [text for _, text in files], options)
    return FilesRead(found.clients, found.brokers, found.topics, tuple(targets), tuple(gaps) + found.gaps)


def _files(paths: Sequence[str], forced: Format | None) -> Iterator[_File]:
    suffixes = frozenset(forced.suffixes) if forced else ALL_SUFFIXES
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for found, display in candidate_files(path, given, suffixes):
                yield _File(found, display, explicit=False)
        elif path.is_file():
            yield _File(path, given, explicit=True)
        else:
            raise InputError(f"{given}: no such file or folder")


def _detect(file: _File, text: str) -> Format | None:
    if not file.explicit and not mentions_kafka(file.display, text):
        return None
    fmt = _parse(file, detect, file.display, text)
    if fmt is None and file.explicit:
        names = ", ".join(FORMATS)
        raise InputError(f"{file.display}: cannot tell which Kafka configuration this is; pass --file-format ({names})")
    return fmt


def _parse(file: _File, read: Callable[..., T], *args: object) -> T:
    try:
        return read(*args)
    except ParseError as exc:
        raise InputError(exc.where(file.display)) from exc
    except RecursionError as exc:
        raise InputError(f"{file.display}: nested too deeply to read") from exc
