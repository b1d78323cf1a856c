"""Spring Kafka `@KafkaListener` methods that take an `Acknowledgment`, in Java or Kotlin (and
sarama's ConsumeClaim marking offsets, in Go: the same question of where the commit sits).

Such a listener commits itself (Spring requires a MANUAL ack mode for it): `ack.acknowledge()`
as the listener's last step (logging and a bare return aside) commits after processing; first,
or in a catch/finally block (a failed record is acknowledged too), before it; anywhere else, in a
callback or never, is not known. What differs between the languages is the grammar's node types
(`Syntax`); where the call sits in the method is judged here, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from auditor.model import Role
from auditor.sources.code.base import Site, Value
from auditor.sources.code.tree import ancestors, line, walk

ACK_MODE_KEY = "spring.kafka.listener.ack-mode"
LISTENER_ACK_KEY = "spring.kafka.listener.acknowledge"  # after-processing / before-processing
AFTER, BEFORE = "after-processing", "before-processing"
PLACEMENTS = {
    AFTER: "the @KafkaListener acknowledges as its last step, after processing",
    BEFORE: "the @KafkaListener acknowledges before processing, or in a catch/finally block: "
    "a record is committed whether or not its processing succeeded",
}
ANNOTATION_KEYS = {"groupId": "group.id", "clientIdPrefix": "client.id"}
LOGGERS = frozenset({"log", "logger", "LOG", "LOGGER", "System.out", "System.err"})
OUTSIDE = "its container factory (or Spring Boot's spring.kafka.consumer.*) is configured outside the listener"


@dataclass(frozen=True)
class Syntax:
    """The node types of one grammar that the placement of acknowledge() depends on."""

    handlers: frozenset[str]  # catch and finally blocks
    callbacks: frozenset[str]  # lambdas, anonymous classes/objects
    comments: frozenset[str]
    incidental: Callable[[Node], bool]  # a log line or a bare return: not processing
    blocks: frozenset[str] = frozenset({"block"})  # what holds a sequence of statements
    call: str = "acknowledge()"  # the committing call, as messages name it


@dataclass(frozen=True)
class ListenerGrammar:
    """How one language writes a @KafkaListener: the declaration that carries it and the three
    questions about it (its annotation, its Acknowledgment parameter, where it acknowledges)."""

    declaration: str  # method_declaration (Java), function_declaration (Kotlin)
    annotation: Callable[[Node], Node | None]
    acknowledgment: Callable[[Node], Node | None]
    acknowledged: Callable[[Node, Node], tuple[Value, int]]


def spring_listeners(
    sites: list[Site],
    root: Node,
    ack_modes: list[tuple[str, int, str]],
    grammar: ListenerGrammar,
    new_site: Callable[[Node, Node], Site],
) -> None:
    """The file's ack modes (mode, line, detail) go to its Spring consumer factories; @KafkaListener
    declarations taking an Acknowledgment commit themselves: where they acknowledge applies to those
    factories, else each is a consumer of its own, `new_site(declaration, annotation)` appended to sites."""
    factories = [s for s in sites if s.library == "spring" and s.role is Role.CONSUMER]
    for site in factories:
        for mode, at, detail in ack_modes:
            site.set(ACK_MODE_KEY, Value(mode), at, detail)
    placements: list[tuple[Value, int, int]] = []
    for declaration in walk(root):
        annotation = grammar.annotation(declaration) if declaration.type == grammar.declaration else None
        parameter = grammar.acknowledgment(declaration) if annotation is not None else None
        if annotation is None or parameter is None:
            continue
        value, at = grammar.acknowledged(declaration, parameter)
        if not factories:
            sites.append(new_site(declaration, annotation))
            acknowledging(sites[-1], value, at, line(parameter))
        placements.append((value, at, line(parameter)))
    for value, at, parameter_line in worst_first(placements)[:1]:
        for site in factories:
            acknowledging(site, value, at, parameter_line)


def acknowledged(calls: list[Node], body: Node | None, name: str, at: int, syntax: Syntax) -> tuple[Value, int]:
    """Where the listener calls `name`.acknowledge(): after processing, before it, or not known (with why)."""
    if body is None or not calls:
        return Value.unknown(f"the listener never calls {name}.acknowledge() itself"), at
    placed = [(_placement(call, body, syntax), line(call)) for call in calls]
    for wanted in (BEFORE, None):  # the worst placement decides: before, then not known, then after
        found = next(((value, where) for value, where in placed if value.text == wanted), None)
        if found is not None:
            return found
    return placed[-1]


def acknowledging(site: Site, value: Value, at: int, parameter_line: int) -> None:
    """Record where the listener acknowledges; an Acknowledgment parameter means a MANUAL ack mode."""
    site.set(LISTENER_ACK_KEY, value, at, PLACEMENTS.get(value.text or ""))
    if not any(s.key == ACK_MODE_KEY for s in site.settings):
        detail = "the @KafkaListener takes an Acknowledgment: Spring requires a MANUAL ack mode"
        site.set(ACK_MODE_KEY, Value("MANUAL"), parameter_line, detail)


def worst_first(placements: list[tuple[Value, int, int]]) -> list[tuple[Value, int, int]]:
    """The file's listeners, the one that commits earliest first (what the file's factories get)."""
    order = {BEFORE: 0, None: 1, AFTER: 2}
    return sorted(placements, key=lambda p: order.get(p[0].text, 1))


def listener_property(site: Site, raw: Value, at: int) -> None:
    """One `properties` entry of a @KafkaListener, its value as the reader resolved it: an entry the
    reader cannot resolve may set anything, so the listener's settings become opaque."""
    if raw.text is None:
        site.hide(f"a listener property is not known ({raw.reason})")
        return
    parsed = property_entry(raw.text)
    if parsed is not None:
        site.set(parsed[0], parsed[1], at)


def property_entry(raw: str) -> tuple[str, Value] | None:
    """One `properties` entry of the annotation: 'key=value', 'key:value' or 'key value', as
    java.util.Properties reads it; a Spring placeholder is unknown."""
    match = re.match(r"\s*([^=:\s]+)\s*[=:\s]\s*(.*)$", raw)
    if match is None:
        return None
    written = match.group(2).strip()
    return match.group(1), Value.unknown(f"a Spring placeholder {written}") if "${" in written else Value(written)


def _placement(call: Node, body: Node, syntax: Syntax) -> Value:
    chain = []  # the statements holding the call, innermost first, each with its block
    node = call
    for parent in ancestors(call):
        if parent.type in syntax.handlers:
            return Value(BEFORE)  # a record whose processing failed is acknowledged too
        if parent.type in syntax.callbacks:
            return Value.unknown(f"{syntax.call} is called in a callback (line {line(call)})")
        if parent.type in syntax.blocks:
            chain.append((node, parent))
        if parent == body:
            break
        node = parent
    if all(_after(statement, block, syntax) == [] for statement, block in chain):
        return Value(AFTER)
    if all(_before(statement, block, syntax) == [] for statement, block in chain):
        return Value(BEFORE)
    return Value.unknown(f"{syntax.call} (line {line(call)}) is followed by more processing")


def _statements(block: Node, syntax: Syntax) -> list[Node]:
    return [s for s in block.named_children if s.type not in syntax.comments]


def _after(statement: Node, block: Node, syntax: Syntax) -> list[Node]:
    """What follows the statement in its block, logging and a bare return left out."""
    statements = _statements(block, syntax)
    return [s for s in statements[statements.index(statement) + 1 :] if not syntax.incidental(s)]


def _before(statement: Node, block: Node, syntax: Syntax) -> list[Node]:
    statements = _statements(block, syntax)
    return [s for s in statements[: statements.index(statement)] if not syntax.incidental(s)]
