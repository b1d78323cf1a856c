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


MAX_NODES = 100_000  # bounds alias expansion ("billion laughs"): a policy file is a few hundred


def load_located(path: Path) -> Any:
    """The document at `path`: Located mappings, lists and plain scalars. InputError when unreadable,
    invalid, nested too deeply, expanding past MAX_NODES through aliases, or repeating a key."""
    try:
        text = path.read_text(encoding="utf-8")
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            return None if node is None else _Builder(loader, str(path)).build(node)
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or exc
        raise InputError(f"{where}: invalid YAML: {problem}") from exc
    except RecursionError as exc:
        raise InputError(f"{path}: invalid YAML: nested too deeply") from exc


_SURROGATE = re.compile("[\ud800-\udfff]")


def joined_surrogates(value: str) -> str | None:
    """`value` as JSON means it: PyYAML keeps an escaped surrogate pair ("\\ud83d\\ude00", JSON's
    escape of an astral character, as json.dumps writes it) as two surrogates, which no file name
    or report can hold; each pair is joined into its character. None when a surrogate has no partner."""
    if _SURROGATE.search(value) is None:
        return value
    try:
        return value.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return None


class _Builder:
    """Builds the document node by node, counting every node an alias makes it build again."""

    def __init__(self, loader: _Loader, path: str) -> None:
        self.loader = loader
        self.path = path
        self.count = 0

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            where = f"{self.path}:{node.start_mark.line + 1}"
            raise InputError(f"{where}: more than {MAX_NODES} YAML nodes once aliases are expanded")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item) for item in node.value]
        value = self.loader.construct_object(node, deep=True)
        return self._text(value, node) if isinstance(value, str) else value

    def _text(self, value: str, node: yaml.Node) -> str:
        """A string with its escaped surrogate pairs joined; a lone surrogate refused."""
        text = joined_surrogates(value)
        if text is None:
            raise InputError(f"{self.path}:{node.start_mark.line + 1}: a lone surrogate escape is not text")
        return text

    def _mapping(self, node: yaml.MappingNode) -> Located:
        mapping = Located(self.path, node.start_mark.line + 1)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(f"{self.path}:{key_node.start_mark.line + 1}: a key must be a plain value")
            key = str(self.loader.construct_object(key_node))
            line = key_node.start_mark.line + 1
            if key in mapping:
                first = mapping.key_lines[key]
                raise InputError(f"{self.path}:{line}: duplicate key {key!r} (first at line {first})")
            mapping.key_lines[key] = line
            mapping[key] = self.build(value_node)
        return mapping


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same documents, 10x faster


def load_plain(text: str) -> Any:
    """A YAML document as PyYAML's safe_load reads it (YAML 1.1 scalars), through libyaml when
    installed: the rule packs and the shipped knowledge, read on every run."""
    return yaml.load(text, Loader=_FAST_LOADER)
