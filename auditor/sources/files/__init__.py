"""Configuration files as a source: clients, brokers and declared topics, before they deploy.

`read_paths` takes the PATHs of the command line (files or folders), finds and detects the
files, reads each with its format's reader and returns what they declare. A file that cannot
be read is an InputError naming file, line and problem, raised before anything is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from auditor.errors import InputError
from auditor.model import BrokerSettings, ClientConfig, CoverageGap, DeclaredTopic, Target, TargetKind
from auditor.sources.code import SUFFIXES as CODE_SUFFIXES
from auditor.sources.files.base import Found, ReadOptions
from auditor.sources.files.detect import ALL_SUFFIXES, FORMATS, KEY_VALUE, RELEVANT, detect, reader_for
from auditor.sources.files.spring import file_profile, read_spring_folder
from auditor.sources.files.terraform import module_of, parse_tf, read_module
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
    if file_format is not None and file_format not in FORMATS:
        raise InputError(f"--file-format must be one of {', '.join(FORMATS)}, not {file_format!r}")
    options = options or ReadOptions()
    found = Found()
    targets: list[Target] = []
    by_folder: dict[str, dict[Path, list[tuple[_File, str]]]] = {"terraform": {}, "spring": {}}
    gaps: list[CoverageGap] = []
    for file in _files(paths, file_format):
        text = _read_text(file)
        if text is None:  # found in a folder, not text: reported, not guessed at
            gaps.append(CoverageGap(file.display, "not UTF-8 text; skipped"))
            continue
        fmt = file_format or _detect(file, text)
        if fmt is None:
            continue
        targets.append(Target(kind=TargetKind.FILE, name=file.display, format=fmt))
        if fmt in by_folder:  # read together with the other files of their folder
            by_folder[fmt].setdefault(file.path.parent, []).append((file, text))
            continue
        found += _parse(file, reader_for(fmt, file.display), text, file.display, options)
    for folder, files in by_folder["terraform"].items():
        found += _terraform(folder, files)
    for folder, files in by_folder["spring"].items():
        found += _spring(folder, files, options)
    return FilesRead(found.clients, found.brokers, found.topics, tuple(targets), tuple(gaps) + found.gaps)


def _files(paths: Sequence[str], file_format: str | None) -> Iterator[_File]:
    suffixes = frozenset(FORMATS[file_format].suffixes) if file_format else ALL_SUFFIXES
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for found, display in candidate_files(path, given, suffixes):
                yield _File(found, display, explicit=False)
        elif path.is_file():
            yield _File(path, given, explicit=True)
        else:
            raise InputError(f"{given}: no such file or folder")


def _read_text(file: _File) -> str | None:
    """The file's text: UTF-8, or ISO-8859-1 for key=value files as java.util.Properties reads them.

    None for a file found in a folder that is not text; a named one is an InputError.
    """
    try:
        data = file.path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {file.display}: {exc.strerror}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if file.path.suffix in KEY_VALUE:
            return data.decode("iso-8859-1")
        if not file.explicit:
            return None
        raise InputError(f"{file.display}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _detect(file: _File, text: str) -> str | None:
    if not file.explicit and not RELEVANT.search(text) and file.path.suffix.lower() not in CODE_SUFFIXES:
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


def _terraform(folder: Path, files: list[tuple[_File, str]]) -> Found:
    """One module: variables and locals from every .tf file of the folder, topics from the chosen ones."""
    chosen = [_parse(file, parse_tf, text, file.display) for file, text in files]
    chosen_paths = {file.path.resolve() for file, _ in files}
    siblings = [_File(p, str(p), explicit=True) for p in sorted(folder.glob("*.tf")) if p.resolve() not in chosen_paths]
    variables = [_parse(s, parse_tf, _read_text(s) or "", s.display) for s in siblings]
    return read_module(chosen, module_of(chosen + variables))


def _spring(folder: Path, files: list[tuple[_File, str]], options: ReadOptions) -> Found:
    """Spring files of one folder; a profile file also layers over an unchosen application.* beside it."""
    chosen_paths = {file.path.resolve() for file, _ in files}
    bases: list[tuple[str, str]] = []
    if any(file_profile(file.display) for file, _ in files):
        for path in sorted(folder.glob("application.*")):
            if path.suffix in (".yml", ".yaml", ".properties") and path.resolve() not in chosen_paths:
                bases.append((str(path), _read_text(_File(path, str(path), explicit=True)) or ""))
    chosen = [(file.display, text) for file, text in files]
    return _parse(files[0][0], read_spring_folder, chosen, bases, options)
