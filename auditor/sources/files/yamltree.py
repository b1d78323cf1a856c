"""YAML read with the line of every key: anchors, aliases and merge keys resolved.

PyYAML composes the node graph (aliases become shared nodes); this module turns it into plain
`YMap` / list / scalar values where each mapping remembers the line its keys were written on.
A merged key (`<<: *defaults`) keeps the line where the anchor wrote it, and keys written in the
mapping itself win over merged ones. Duplicate keys: the last wins. Scalars stay strings as
written (booleans spelled true/false, null as None), because Kafka reads strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Union

import yaml

from auditor.sources.files.base import Entry
from auditor.sources.files.values import ParseError
from auditor.yamlread import joined_surrogates

Value = Union["YMap", "YList", str, None]
MAX_NODES = 200_000  # bounds alias expansion ("billion laughs")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same nodes, faster
# libyaml refuses every escaped surrogate ("found invalid Unicode character escape code"), even the
# pair JSON writes for an astral character ("\\ud83d\\ude00"); PyYAML's own scanner keeps both
# halves, which scalar() joins. A text holding such an escape is composed by PyYAML.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F][0-9a-fA-F]{2}")


class LoneSurrogate(ParseError):
    """A surrogate escape with no partner: not text, in YAML or in JSON."""

    def __init__(self, line: int | None = None) -> None:
        super().__init__("a lone surrogate escape (\\ud800-\\udfff) is not text", line)


def text_of(value: str, line: int | None = None) -> str:
    """`value` with its escaped surrogate pairs joined (auditor.yamlread.joined_surrogates)."""
    text = joined_surrogates(value)
    if text is None:
        raise LoneSurrogate(line)
    return text


class YMap(dict[str, Value]):
    """A YAML mapping whose keys carry the line they were set on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}

    def put(self, key: str, value: Value, line: int) -> None:
        self[key] = value
        self.lines[key] = line

    def line(self, key: str) -> int | None:
        return self.lines.get(key) or None


def scalar_entries(mapping: YMap) -> list[Entry]:
    """The mapping's scalar keys as entries (nested mappings and sequences left out)."""
    return [Entry(k, v, mapping.line(k)) for k, v in mapping.items() if not isinstance(v, (YMap, YList))]


class YList(list[Value]):
    """A YAML sequence whose items carry the line they start on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []

    def add(self, value: Value, line: int) -> None:
        self.append(value)
        self.lines.append(line)


@lru_cache(maxsize=8)  # detection and reading look at the same text
def load_documents(text: str) -> list[Value]:
    """Every document of a (multi-document) YAML text. ParseError names the line."""
    try:
        loader = yaml.SafeLoader if _SURROGATE_ESCAPE.search(text) else _LOADER
        nodes = list(yaml.compose_all(text, Loader=loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ParseError(f"invalid YAML: {exc.problem or exc.context}", line) from exc
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise ParseError("invalid YAML: nested too deeply") from exc
    converter = _Converter(text)
    return [converter.convert(node) for node in nodes if node is not None]


class _Converter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.done: dict[int, Value] = {}
        self.active: set[int] = set()
        self.count = 0

    def convert(self, node: yaml.Node) -> Value:
        key = id(node)
        if key in self.done:
            return self.done[key]
        if key in self.active:
            raise ParseError("recursive YAML alias", node.start_mark.line + 1)
        self.count += 1
        if self.count > MAX_NODES:
            raise ParseError(f"more than {MAX_NODES} YAML nodes", node.start_mark.line + 1)
        self.active.add(key)
        try:
            value = self._convert(node)
        except RecursionError as exc:
            raise ParseError("YAML nested too deeply", node.start_mark.line + 1) from exc
        finally:
            self.active.discard(key)
        self.done[key] = value
        return value

    def _convert(self, node: yaml.Node) -> Value:
        if _is_template(node):  # unquoted {{ .Values.x }} reads as a flow mapping keyed by a mapping
            return self.text[node.start_mark.index : node.end_mark.index]
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            items = YList()
            for item in node.value:
                items.add(self.convert(item), item.start_mark.line + 1)
            return items
        return scalar(node)

    def _mapping(self, node: yaml.MappingNode) -> YMap:
        result = YMap()
        merged: list[YMap] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged.extend(self._merge_sources(value_node))
                continue
            key = scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                continue  # complex or null keys carry no Kafka setting
            result.put(key, self.convert(value_node), key_node.start_mark.line + 1)
        for source in merged:  # earlier merge sources win; own keys win over all
            for key, value in source.items():
                if key not in result:
                    result.put(key, value, source.lines[key])
        return result

    def _merge_sources(self, node: yaml.Node) -> Iterator[YMap]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in items:
            converted = self.convert(item)
            if not isinstance(converted, YMap):
                raise ParseError("a YAML merge key (<<) needs a mapping", item.start_mark.line + 1)
            yield converted


def _is_template(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.MappingNode)
        and bool(node.flow_style)
        and len(node.value) == 1
        and isinstance(node.value[0][0], yaml.MappingNode)
    )


def scalar(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if node.tag == "tag:yaml.org,2002:bool":
        return "true" if node.value.lower() in ("true", "yes", "on", "y") else "false"
    return text_of(str(node.value), node.start_mark.line + 1)
