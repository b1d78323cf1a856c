"""Where a setting a file leaves out is added: the settings map of the resource the finding names,
found line by line so that comments, order, quoting and indentation stay as written.

- YAML: a Strimzi `Kafka` (`spec.kafka.config`), a Strimzi `KafkaTopic` (`spec.config`), a
  topicctl topic (`spec.settings`), each picked by its name in a multi-document file; the map is
  created under its parent when the file has none.
- HCL: the `config = { ... }` map of a Terraform `resource "kafka_topic" "<label>"`, its `=`
  aligned as `terraform fmt` aligns it; the map is created when the resource has none.

Anything else (a flow-style `config: {}`, a resource made by `for_each`) is not located: the
caller reports the setting as not fixed, with what to add.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

YAML_MAPS: dict[str, tuple[str, ...]] = {  # resource kind (the part before '/') -> its settings map
    "Kafka": ("spec", "kafka", "config"),
    "KafkaTopic": ("spec", "config"),
}
TOPICCTL_MAP = ("spec", "settings")
_YAML_KEY = re.compile(r"^(?P<indent> *)(?P<key>[^\s#:][^:#]*?)\s*:(?:\s+(?P<rest>.*))?$")
_TF_RESOURCE = re.compile(r'^\s*resource\s+"kafka_topic"\s+"(?P<label>[^"]+)"\s*\{\s*(#.*)?$')
_TF_CONFIG = re.compile(r"^(?P<indent>\s*)config\s*=\s*\{\s*(#.*)?$")
_TF_ENTRY = re.compile(r'^(?P<indent>\s*)(?P<key>"[^"]*"|[A-Za-z_][\w.-]*)(?P<pad>\s*)=')


@dataclass(frozen=True)
class Insertion:
    """Lines to add before line index `at` (0-based: that many lines come before them), each with
    `indent`. `opens` is the header of a map created for them (`config:`), None when they go into
    a map that is there."""

    at: int
    indent: str
    opens: str | None
    closes: str | None = None  # the line that ends a created HCL map


def yaml_insertion(text: str, resource: str) -> Insertion | None:
    """Where a key of `resource`'s settings map goes in a Strimzi or topicctl YAML file."""
    kind, _, name = resource.partition("/")
    lines = text.splitlines()
    for start, end in _documents(lines):
        path = YAML_MAPS.get(kind) if name else TOPICCTL_MAP
        if path is None or not _is_resource(lines[start:end], kind if name else None, name or resource):
            continue
        return _map_insertion(lines, start, end, path)
    return None


def _documents(lines: Sequence[str]) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for index, line in enumerate(lines):
        if line.startswith("---"):
            bounds.append((start, index))
            start = index + 1
    bounds.append((start, len(lines)))
    return bounds


def _is_resource(lines: Sequence[str], kind: str | None, name: str) -> bool:
    """A Strimzi document of `kind` whose metadata.name is `name`, or (kind None) a topicctl topic
    whose meta.name is `name`."""
    top = {m.group("key"): m.group("rest") for m in map(_YAML_KEY.match, lines) if m and not m.group("indent")}
    if kind is not None and _scalar(top.get("kind")) != kind:
        return False
    section = "metadata" if kind is not None else "meta"
    found = _find(lines, 0, len(lines), (section, "name"))
    return found is not None and _scalar(_YAML_KEY.match(lines[found[0]]).group("rest")) == name  # type: ignore[union-attr]


def _scalar(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+#.*$", "", value).strip()
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


def _find(lines: Sequence[str], start: int, end: int, path: Sequence[str]) -> tuple[int, int] | None:
    """(line index of the last key of `path`, end of its block), each key a direct child of the
    one before, within lines[start:end]."""
    hit = None
    for key in path:
        content = _content(lines, start, end)
        if not content:
            return None
        level = _indent(lines[content[0]])
        hit = next((i for i in content if _is_key(lines[i], level, key)), None)
        if hit is None:
            return None
        start, end = hit + 1, _block_end(lines, hit, end)
    return (hit, end) if hit is not None else None


def _content(lines: Sequence[str], start: int, end: int) -> list[int]:
    """The indexes of lines[start:end] that are neither blank nor comments."""
    return [i for i in range(start, end) if lines[i].strip() and not lines[i].lstrip().startswith("#")]


def _is_key(line: str, level: str, key: str) -> bool:
    match = _YAML_KEY.match(line)
    return match is not None and match.group("indent") == level and _scalar(match.group("key")) == key


def _block_end(lines: Sequence[str], header: int, end: int) -> int:
    """The index after the last line that belongs to the block opened at `header`."""
    indent = len(lines[header]) - len(lines[header].lstrip(" "))
    last = header
    for index in range(header + 1, end):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[index]) - len(lines[index].lstrip(" ")) <= indent:
            break
        last = index
    return last + 1


def _map_insertion(lines: Sequence[str], start: int, end: int, path: Sequence[str]) -> Insertion | None:
    found = _find(lines, start, end, path)
    if found is not None:
        header, block_end = found
        rest = _YAML_KEY.match(lines[header]).group("rest")  # type: ignore[union-attr]
        if _scalar(rest):
            return None  # `config: {}` or a value where a map belongs: not written line by line
        children = _content(lines, header + 1, block_end)
        indent = _indent(lines[children[0]]) if children else _indent(lines[header]) + _step(lines, start, end)
        return Insertion(at=block_end, indent=indent, opens=None)
    parent = _find(lines, start, end, path[:-1])
    if parent is None:
        return None
    header, block_end = parent
    step = _step(lines, start, end)
    children = _content(lines, header + 1, block_end)
    indent = _indent(lines[children[0]]) if children else _indent(lines[header]) + step
    return Insertion(at=block_end, indent=indent + step, opens=f"{indent}{path[-1]}:")


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _step(lines: Sequence[str], start: int, end: int) -> str:
    """The file's indentation step (two spaces when it shows none)."""
    widths = sorted({len(_indent(line)) for line in lines[start:end] if line.strip()} - {0})
    return " " * (widths[0] if widths else 2)


def yaml_line(indent: str, key: str, value: str) -> str:
    return f"{indent}{key}: {value}\n"


def hcl_insertion(text: str, resource: str) -> Insertion | None:
    """Where an entry of `resource`'s `config` map goes in a Terraform file (kafka_topic.<label>)."""
    kind, _, label = resource.partition(".")
    if kind != "kafka_topic" or not label or "[" in label:
        return None
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _TF_RESOURCE.match(line)
        if match and match.group("label") == label:
            return _hcl_config(lines, index)
    return None


def _hcl_config(lines: Sequence[str], opening: int) -> Insertion | None:
    closing = _closing_brace(lines, opening)
    if closing is None:
        return None
    for index in range(opening + 1, closing):
        match = _TF_CONFIG.match(lines[index])
        if match:
            end = _closing_brace(lines, index)
            if end is None:
                return None
            entries = [_TF_ENTRY.match(lines[i]) for i in range(index + 1, end)]
            indent = next((m.group("indent") for m in entries if m), match.group("indent") + "  ")
            return Insertion(at=end, indent=indent, opens=None)
    inner = next((_indent(lines[i]) for i in range(opening + 1, closing) if lines[i].strip()), "  ")
    return Insertion(at=closing, indent=inner * 2, opens=f"{inner}config = {{", closes=f"{inner}}}")


def _closing_brace(lines: Sequence[str], opening: int) -> int | None:
    depth = 0
    for index in range(opening, len(lines)):
        code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', lines[index]).split("#")[0].split("//")[0]
        depth += code.count("{") - code.count("}")
        if depth == 0:
            return index
    return None


def hcl_line(indent: str, key: str, value: str) -> str:
    """`"key" = "value"`; align_hcl lines its `=` up with the entries around it afterwards."""
    return f'{indent}"{key}" = "{value}"\n'


def align_hcl(lines: list[str], last: int) -> None:
    """Line up the `=` of the run of map entries that ends at index `last` (same indentation, no
    blank line or comment between), as `terraform fmt` does: one space after the longest key."""
    entry = _TF_ENTRY.match(lines[last])
    if entry is None:
        return
    first = last
    while first > 0:
        above = _TF_ENTRY.match(lines[first - 1])
        if above is None or above.group("indent") != entry.group("indent"):
            break
        first -= 1
    run = [(i, _TF_ENTRY.match(lines[i])) for i in range(first, last + 1)]
    width = max(len(m.group("key")) for _, m in run if m)
    for index, match in run:
        assert match is not None
        key_end = match.end("key")
        rest = lines[index][match.end("pad") :]
        lines[index] = lines[index][:key_end] + " " * (width - len(match.group("key")) + 1) + rest
