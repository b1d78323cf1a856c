"""java.util.Properties, read as Java reads it, keeping the line each key was set on.

Kafka's tools (`--command-config`), clients and brokers load .properties files with
java.util.Properties.load: `=`, `:` or whitespace separate key and value; `#` and `!` start
comments; a backslash at the end of a line continues it; `\\t \\n \\r \\f \\uXXXX` are escapes
(a surrogate pair, as Properties.store writes a character beyond U+FFFF, is that one character)
and any other escaped character stands for itself; the last duplicate key wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auditor.errors import InputError
from auditor.yamlread import joined_surrogates

_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
_WHITESPACE = " \t\f"


class PropertiesSyntaxError(ValueError):
    """A line java.util.Properties rejects (only a malformed \\uXXXX escape)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class PropertyLine:
    key: str
    value: str
    line: int


def read_properties_file(path: Path) -> dict[str, PropertyLine]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:  # UnicodeEncodeError: a path no file system name can hold
        where = ascii(str(path)) if isinstance(exc, UnicodeEncodeError) else path
        raise InputError(f"cannot read {where}: {exc.strerror if isinstance(exc, OSError) else exc}") from exc
    try:
        return {p.key: p for p in parse_properties(text)}
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from exc


def parse_properties(text: str) -> list[PropertyLine]:
    """Every key/value in file order (duplicates included; callers keep the last)."""
    entries: list[PropertyLine] = []
    for number, logical in _logical_lines(text):
        key, value = _split(logical, number)
        entries.append(PropertyLine(key, value, number))
    return entries


def _logical_lines(text: str) -> list[tuple[int, str]]:
    lines = text.splitlines()
    result: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        start = index
        current = lines[index].lstrip(_WHITESPACE)
        index += 1
        if not current or current[0] in "#!":
            continue
        while _continues(current) and index < len(lines):
            current = current[:-1] + lines[index].lstrip(_WHITESPACE)
            index += 1
        if _continues(current):
            current = current[:-1]
        result.append((start + 1, current))
    return result


def _continues(line: str) -> bool:
    trailing = len(line) - len(line.rstrip("\\"))
    return trailing % 2 == 1


def _split(line: str, number: int) -> tuple[str, str]:
    index, length = 0, len(line)
    while index < length:
        char = line[index]
        if char == "\\":
            index += 2
            continue
        if char in "=:" or char in _WHITESPACE:
            break
        index += 1
    key_raw = line[:index]
    rest = line[index:].lstrip(_WHITESPACE)
    if rest[:1] in ("=", ":"):
        rest = rest[1:].lstrip(_WHITESPACE)
    return _unescape(key_raw, number), _unescape(rest, number)


def _unescape(raw: str, number: int) -> str:
    out: list[str] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char != "\\" or index + 1 >= len(raw):
            out.append(char)
            index += 1
            continue
        nxt = raw[index + 1]
        if nxt == "u":
            digits = raw[index + 2 : index + 6]
            if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise PropertiesSyntaxError(number, "malformed \\uxxxx encoding")
            out.append(chr(int(digits, 16)))
            index += 6
            continue
        out.append(_ESCAPES.get(nxt, nxt))
        index += 2
    return _text("".join(out), number)


def _text(value: str, number: int) -> str:
    """Properties.store writes a character beyond U+FFFF as a surrogate pair (\\ud83d\\ude00): joined
    into its character; a lone surrogate is no text a report can hold."""
    text = joined_surrogates(value)
    if text is None:
        raise PropertiesSyntaxError(number, "a lone surrogate escape (\\ud800-\\udfff) is not text")
    return text
