"""Kafka Streams exception handlers written in Java: what a custom handler's code returns.

A Streams configuration that names a handler Kafka does not ship (production.exception.handler=
com.example.SkipTooLarge) says nothing by itself: its code decides whether a failed record stops
the application or is dropped. This reader finds the classes of a Java file that implement
ProductionExceptionHandler, DeserializationExceptionHandler or ProcessingExceptionHandler (or
extend a handler Kafka ships) and reads what their handle methods return:

- drops: `ProductionExceptionHandlerResponse.CONTINUE` / `DeserializationHandlerResponse.CONTINUE` /
  `ProcessingHandlerResponse.CONTINUE` (Kafka 2.x-4.0), or `Response.resume()` with no records
  (Kafka 4.1+, KIP-1034); one such return is enough: on that path the record is gone;
- keeps: `FAIL`, `fail(...)`, `retry()`, or `resume(records)` that hands the record to a dead
  letter queue;
- anything else (a variable, a call) is not judged: the handler's verdict stays unknown.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from auditor.model import StreamsHandler
from auditor.sources.code.tree import ancestors, line, parse, text, walk

# interface or Kafka base class -> which handler it is
KINDS = {
    "ProductionExceptionHandler": "production",
    "DefaultProductionExceptionHandler": "production",
    "DeserializationExceptionHandler": "deserialization",
    "LogAndFailExceptionHandler": "deserialization",
    "LogAndContinueExceptionHandler": "deserialization",
    "ProcessingExceptionHandler": "processing",
    "LogAndFailProcessingExceptionHandler": "processing",
    "LogAndContinueProcessingExceptionHandler": "processing",
}
HANDLE_METHODS = frozenset(
    {"handle", "handleError", "handleSerializationException", "handleSerializationError", "handleProcessingError"}
)
DROPS = re.compile(r"\bCONTINUE\b|\bresume\s*\(\s*\)")
KEEPS = re.compile(r"\bFAIL\b|\bRETRY\b|\bfail\s*\(|\bretry\s*\(|\bresume\s*\(\s*\S")


def read_handlers(source: str, path: str) -> tuple[StreamsHandler, ...]:
    """The Streams exception handler classes a Java file declares, each with what its code returns."""
    root = parse("java", source)
    package = next((_package(n) for n in root.named_children if n.type == "package_declaration"), "")
    return tuple(
        handler
        for node in walk(root)
        if node.type == "class_declaration" and (handler := _handler(node, package, path)) is not None
    )


def _package(node: Node) -> str:
    name = next((c for c in node.named_children if c.type in ("scoped_identifier", "identifier")), None)
    return text(name)


def _handler(node: Node, package: str, path: str) -> StreamsHandler | None:
    kind = next((KINDS[t] for t in _supertypes(node) if t in KINDS), None)
    name = node.child_by_field_name("name")
    if kind is None or name is None:
        return None
    returns = [r for m in _handle_methods(node) for r in walk(m) if r.type == "return_statement"]
    dropping = next((r for r in returns if DROPS.search(text(r))), None)
    if dropping is not None:
        verdict: bool | None = True
        at = dropping
    else:
        verdict = False if returns and all(KEEPS.search(text(r)) for r in returns) else None
        at = returns[0] if returns else node
    nested = [text(a.child_by_field_name("name")) for a in ancestors(node) if a.type == "class_declaration"]
    simple = ".".join([*reversed(nested), text(name)])  # Outer.Inner, as Outer$Inner is configured
    class_name = f"{package}.{simple}" if package else simple
    return StreamsHandler(class_name, kind, verdict, path, line(at), " ".join(text(at).split())[:120])


def _supertypes(node: Node) -> list[str]:
    """Simple names of the class's superclass and interfaces (generics dropped)."""
    found = []
    for field in ("superclass", "interfaces"):
        part = node.child_by_field_name(field)
        for type_node in walk(part) if part is not None else ():
            if type_node.type == "type_identifier":
                found.append(text(type_node))
    return found


def _handle_methods(node: Node) -> list[Node]:
    body = node.child_by_field_name("body")
    if body is None:
        return []
    return [
        m
        for m in body.named_children
        if m.type == "method_declaration" and text(m.child_by_field_name("name")) in HANDLE_METHODS
    ]
