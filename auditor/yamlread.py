"""Read a YAML document keeping the line of every mapping and key, for errors that say file:line.

Scalars follow YAML 1.2 where PyYAML (YAML 1.1) surprises: only true/false are booleans
(`off`, `no`, `on` stay strings, so a policy can say `off: true`) and dates stay strings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from auditor.errors import InputError


class Located(dict[str, Any]):
    """A YAML mapping with the 1-based line of itself and of each key."""

    def __init__(self, path: str, line: int) -> None:
        super().__init__()
        self.path = path
        self.line = line
        self.key_lines: dict[str, int] = {}

    def where(self, key: str | None = None) -> str:
        line = self.key_lines.get(key, self.line) if key is not None else self.line
        return f"{self.path}:{line}"


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and no implicit timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_located(path: Path) -> Any:
    """The document at `path`: Located mappings, lists and plain scalars. InputError when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            return None if node is None else _build(node, loader, str(path))
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or exc
        raise InputError(f"{where}: invalid YAML: {problem}") from exc


def _build(node: yaml.Node, loader: _Loader, path: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        mapping = Located(path, node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            mapping.key_lines[key] = key_node.start_mark.line + 1
            mapping[key] = _build(value_node, loader, path)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, loader, path) for item in node.value]
    return loader.construct_object(node, deep=True)
