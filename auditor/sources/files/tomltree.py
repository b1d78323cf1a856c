"""TOML read into the YAML tree's `YMap` / `YList`, with the line of every key it can place.

tomllib (tomli before Python 3.11) parses; it gives no lines, so they come from the text: a
`[table]` header starts the keys below it, and `key = value` (bare or quoted keys, dotted keys
spelled out) sets the line of that key under the current table. A key whose line cannot be
placed (inline tables, arrays of tables) has none. Scalars become strings as Kafka reads them.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from auditor.sources.files.values import ParseError
from auditor.sources.files.yamltree import Value, YList, YMap

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_HEADER = re.compile(r"^\s*\[(?!\[)(?P<name>[^\]]+)\]\s*(#.*)?$")
_ARRAY_HEADER = re.compile(r"^\s*\[\[")
_SIMPLE_KEY = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*(?P<key>{_SIMPLE_KEY}(?:\s*\.\s*{_SIMPLE_KEY})*)\s*=")
_PART = re.compile(r"""[A-Za-z0-9_-]+|"([^"]*)"|'([^']*)'""")


def load_toml(text: str) -> YMap:
    """The document as one YMap. ParseError names the line TOML's parser gives."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_of(str(exc))
        raise ParseError(f"invalid TOML: {str(exc).split(' (at')[0]}", line) from exc
    except RecursionError as exc:
        raise ParseError("invalid TOML: nested too deeply") from exc
    document = _tree(data, (), _lines(text))
    assert isinstance(document, YMap)  # tomllib always gives a table
    return document


def _line_of(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _lines(text: str) -> dict[tuple[str, ...], int]:
    """(table path + key path) -> line, for headers and `key =` lines outside arrays of tables."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] | None = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group("name"))
            lines.setdefault(table, number)
            continue
        if _ARRAY_HEADER.match(line):
            table = None  # keys of an array of tables: not placed
            continue
        key = _KEY.match(line)
        if key and table is not None:
            lines.setdefault((*table, *_parts(key.group("key"))), number)
    return lines


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(m.group(1) if m.group(1) is not None else m.group(2) or m.group(0) for m in _PART.finditer(dotted))


def _tree(value: Any, path: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> Value:
    if isinstance(value, dict):
        result = YMap()
        for key, child in value.items():
            result.put(str(key), _tree(child, (*path, str(key)), lines), lines.get((*path, str(key)), 0))
        return result
    if isinstance(value, list):
        items = YList()
        for item in value:
            items.add(_tree(item, path, {}), 0)
        return items
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)
