"""tree-sitter for the code readers: one parser per language, loaded on first use, and node helpers.

The grammars are the maintained tree-sitter-<language> packages from PyPI (pyproject.toml pins
them). tree-sitter never raises on a broken program: it marks what it could not parse as ERROR
nodes, so a reader sees the parts that do parse.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache

from tree_sitter import Language, Node, Parser

# language -> (grammar module, function returning the language)
GRAMMARS = {
    "java": ("tree_sitter_java", "language"),
    "kotlin": ("tree_sitter_kotlin", "language"),
    "go": ("tree_sitter_go", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "csharp": ("tree_sitter_c_sharp", "language"),
}


@cache
def parser(language: str) -> Parser:
    module, function = GRAMMARS[language]
    return Parser(Language(getattr(importlib.import_module(module), function)()))


def parse(language: str, text: str) -> Node:
    return parser(language).parse(text.encode("utf-8", "surrogatepass")).root_node


def text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def line(node: Node) -> int:
    return node.start_point[0] + 1


def walk(node: Node) -> Iterator[Node]:
    """Every named node under node, in source order, without recursion (programs nest deeply)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def ancestors(node: Node) -> Iterator[Node]:
    current = node.parent
    while current is not None:
        yield current
        current = current.parent


def enclosing(node: Node, types: frozenset[str]) -> Node | None:
    return next((a for a in ancestors(node) if a.type in types), None)


def short(node: Node, width: int = 60) -> str:
    value = " ".join(text(node).split())
    return value if len(value) <= width else value[: width - 1] + "…"
