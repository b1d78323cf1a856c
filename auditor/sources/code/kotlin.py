"""Kotlin clients, read with tree-sitter: kafka-clients and Spring Kafka, as Kotlin writes them.

`KafkaProducer(props)`, `KafkaConsumer(props)`, `DefaultKafkaProducerFactory<K, V>(configs)`,
`DefaultKafkaConsumerFactory(...)` with a configuration built in the same file: `mapOf(K to v, ...)`
(`hashMapOf`, `mutableMapOf`), `Properties()` / `HashMap()` then `props[K] = v`, `props.put(k, v)`,
`setProperty`, `putAll`, `Properties().apply { put(k, v) }`, or a function of the file returning
one. Keys and values as in Java (auditor.sources.code.java): `ProducerConfig` constants, strings,
`const val`s; `System.getenv` is unknown. `ackMode = ContainerProperties.AckMode.X` or
`setAckMode(...)` in the file applies to its Spring consumer factories.
"""

from __future__ import annotations

from tree_sitter import Node

from auditor.model import CoverageGap, Role
from auditor.sources.code import listeners
from auditor.sources.code.base import Site, Value, not_understood
from auditor.sources.code.java import CLIENTS, CONFIG_CLASSES, NUMBER_CONSTANTS, constant_key
from auditor.sources.code.tree import ancestors, enclosing, line, parse, short, text, walk

MAX_DEPTH = 10
MAPS = frozenset({"mapOf", "hashMapOf", "mutableMapOf", "linkedMapOf", "Properties", "HashMap"})
MUTATORS = frozenset({"put", "setProperty", "putIfAbsent", "set"})
SCOPES = frozenset({"function_declaration", "lambda_literal", "anonymous_initializer", "secondary_constructor"})


def _callee(call: Node) -> str:
    """`KafkaProducer` of KafkaProducer<K, V>(...), `props.put` of props.put(...)."""
    return text(call.named_children[0]) if call.named_children else ""


def _arguments(call: Node) -> list[Node]:
    arguments = next((c for c in call.named_children if c.type == "value_arguments"), None)
    values = [a.named_children[-1] for a in arguments.named_children if a.named_children] if arguments else []
    lambdas = [c for c in call.named_children if c.type == "annotated_lambda"]
    return values + lambdas


class KotlinReader:
    def __init__(self, root: Node, path: str) -> None:
        self.root = root
        self.path = path
        self.functions: dict[str, Node] = {}
        self.sites: list[Site] = []
        self.gaps: list[CoverageGap] = []

    def read(self) -> None:
        for node in walk(self.root):
            if node.type == "function_declaration":
                self.functions[text(node.child_by_field_name("name"))] = node
        ack_modes: list[tuple[str, int]] = []
        for node in walk(self.root):
            if node.type == "call_expression" and _callee(node) in CLIENTS:
                self.sites.append(self.site(node, *CLIENTS[_callee(node)]))
            elif node.type == "call_expression" and _callee(node).endswith("setAckMode") and _arguments(node):
                ack_modes.append((text(_arguments(node)[0]).rsplit(".", 1)[-1], line(node)))
            elif node.type == "assignment" and text(node.child_by_field_name("left")).endswith("ackMode"):
                ack_modes.append((text(node.child_by_field_name("right")).rsplit(".", 1)[-1], line(node)))
            elif node.type == "callable_reference" and text(node).rsplit("::", 1)[-1].strip() in CLIENTS:
                why = f"{text(node)} builds it indirectly (a constructor reference the reader does not follow)"
                self.gaps.append(not_understood(self.path, line(node), why))
        detail = "ackMode set in this file"
        modes = [(mode, at, detail) for mode, at in ack_modes]
        listeners.spring_listeners(self.sites, self.root, modes, LISTENERS, lambda _, a: self.listener(a))

    def listener(self, annotation: Node) -> Site:
        """A @KafkaListener as a consumer: groupId and `properties` of the annotation; the rest is
        its container factory's, configured elsewhere."""
        site = Site(Role.CONSUMER, "spring", line(annotation), names=self.names_of(annotation))
        for argument in _annotation_arguments(annotation):
            name, value = argument.named_children[0], argument.named_children[-1]
            if text(name) in listeners.ANNOTATION_KEYS:
                site.set(listeners.ANNOTATION_KEYS[text(name)], self.value(value, argument, 0), line(argument))
            elif text(name) == "properties":
                items = _arguments(value) if value.type == "call_expression" else value.named_children
                for item in items if value.type in ("collection_literal", "call_expression") else [value]:
                    listeners.listener_property(site, self.value(item, argument, 0), line(item))
        site.hide(listeners.OUTSIDE)
        return site

    def site(self, call: Node, library: str, role: Role) -> Site:
        site = Site(role, library, line(call), names=self.names_of(call))
        arguments = _arguments(call)
        if not arguments:
            site.hide("the client is built without a configuration the reader can see")
        else:
            self.mapping(site, arguments[0], call, 0)
        return site

    def mapping(self, site: Site, node: Node, at: Node, depth: int) -> None:
        if depth > MAX_DEPTH:
            site.hide("the configuration is built too indirectly to follow")
            return
        if node.type == "identifier":
            self.variable(site, text(node), at, depth)
            return
        if node.type == "call_expression":
            callee = _callee(node)
            if callee.endswith(".apply") and node.named_children:  # Properties().apply { put(k, v) }
                receiver = node.named_children[0].named_children[0] if node.named_children[0].named_children else None
                if receiver is not None:
                    self.mapping(site, receiver, at, depth + 1)
                for block in (c for c in node.named_children if c.type == "annotated_lambda"):
                    self.mutations(site, block, None, depth)
                return
            if callee in MAPS:
                for argument in _arguments(node):
                    if argument.type == "infix_expression" and len(argument.named_children) == 3:
                        key, _, value = argument.named_children
                        self.put(site, key, value, at, depth)
                    elif argument.type != "infix_expression":  # HashMap(other)
                        self.mapping(site, argument, at, depth + 1)
                return
            if callee in self.functions and not _arguments(node):
                self.returned(site, self.functions[callee], depth)
                return
        site.hide(f"the configuration {short(node)} (line {line(node)}) is not built in this file")

    def returned(self, site: Site, function: Node, depth: int) -> None:
        body = next((c for c in function.named_children if c.type == "function_body"), None)
        if body is not None and body.named_children and body.named_children[0].type != "block":
            self.mapping(site, body.named_children[0], body, depth + 1)  # fun configs() = mapOf(...)
            return
        for node in walk(function):
            if node.type == "return_expression" and node.named_children:
                self.mapping(site, node.named_children[0], node, depth + 1)

    def variable(self, site: Site, name: str, at: Node, depth: int) -> None:
        declared = self.declaration(name, at)
        if declared is None:
            site.hide(f"the configuration {name} is not built in this file")
            return
        self.mapping(site, declared, at, depth + 1)
        scope = enclosing(at, SCOPES) or self.root
        self.mutations(site, scope, name, depth, until=line(at))

    def mutations(self, site: Site, scope: Node, name: str | None, depth: int, until: int = 10**9) -> None:
        """props[K] = v, props.put(k, v), props.putAll(other); `name` None: calls without a receiver (apply)."""
        for node in walk(scope):
            if line(node) > until:
                continue
            if node.type == "assignment":
                left = node.child_by_field_name("left")
                if left is not None and left.type == "index_expression" and len(left.named_children) == 2:
                    target, key = left.named_children
                    if text(target) == (name or "this"):
                        self.put(site, key, node.child_by_field_name("right"), node, depth)
            elif node.type == "call_expression":
                callee = _callee(node)
                receiver, _, method = callee.rpartition(".")
                if (receiver or None) != name and not (name is None and receiver == "this"):
                    continue
                values = _arguments(node)
                if method in MUTATORS and len(values) == 2:
                    self.put(site, values[0], values[1], node, depth)
                elif method == "putAll" and len(values) == 1:
                    self.mapping(site, values[0], node, depth + 1)

    def put(self, site: Site, key_node: Node, value_node: Node | None, at: Node, depth: int) -> None:
        key = self.key(key_node, at, depth)
        if key.text is None:
            site.hide(f"a key of the configuration is not known ({key.reason})")
            return
        site.set(key.text, self.value(value_node, at, depth + 1), line(key_node))

    def key(self, node: Node, at: Node, depth: int) -> Value:
        if node.type == "navigation_expression" and len(node.named_children) == 2:
            owner, field = (text(c) for c in node.named_children)
            if owner.rsplit(".", 1)[-1] in CONFIG_CLASSES and constant_key(field):
                return Value(constant_key(field))
        if node.type == "identifier" and self.declaration(text(node), at) is None and constant_key(text(node)):
            return Value(constant_key(text(node)))  # a statically imported ProducerConfig constant
        return self.value(node, at, depth + 1)

    def value(self, node: Node | None, at: Node, depth: int) -> Value:
        if node is None or depth > MAX_DEPTH:
            return Value.unknown("built too indirectly to follow")
        kind, written = node.type, text(node)
        if kind == "string_literal":
            if any(c.type != "string_content" for c in node.named_children):
                return Value.unknown(f"{short(node)} is built from other values")
            return Value("".join(text(c) for c in node.named_children))
        if kind in ("number_literal", "integer_literal", "long_literal"):
            return Value(written.rstrip("lL").replace("_", ""))
        if written in ("true", "false"):
            return Value(written)
        if kind in ("prefix_expression", "unary_expression") and written.replace(" ", "") == "-1":
            return Value("-1")
        if written in NUMBER_CONSTANTS or written in ("Int.MAX_VALUE", "Long.MAX_VALUE"):
            return Value(NUMBER_CONSTANTS.get(written.replace("Int.", "Integer."), ""))
        if "System.getenv" in written or "System.getProperty" in written:
            return Value.unknown(f"read from the environment: {short(node)}")
        if kind == "call_expression" and _callee(node).endswith(".toString") and node.named_children:
            receiver = node.named_children[0].named_children[0] if node.named_children[0].named_children else None
            return self.value(receiver, at, depth + 1)
        if kind == "identifier":
            declared = self.declaration(written, at)
            if declared is None:
                return Value.unknown(f"{written} is not assigned in this file")
            return self.value(declared, at, depth + 1)
        return Value.unknown(f"{short(node)} is not known in this file")

    def declaration(self, name: str, at: Node) -> Node | None:
        """The initial value of a `val`/`var` visible at `at`: innermost function first, then the file."""
        scope = enclosing(at, SCOPES)
        for container in (scope, self.root) if scope is not None else (self.root,):
            found: Node | None = None
            for node in walk(container):
                if node.type != "property_declaration":
                    continue
                if container == self.root and scope is not None and enclosing(node, SCOPES) is not None:
                    continue
                variable = next((c for c in node.named_children if c.type == "variable_declaration"), None)
                if variable is None or text(variable.named_children[0] if variable.named_children else None) != name:
                    continue
                if container == self.root or line(node) <= line(at):
                    values = [c for c in node.named_children if c.type not in ("modifiers", "variable_declaration")]
                    found = values[-1] if values else None
            if found is not None:
                return found
        return None

    def names_of(self, call: Node) -> list[str]:
        names: list[str] = []
        for node in (call, *ancestors(call)):
            if node.type == "property_declaration":
                variable = next((c for c in node.named_children if c.type == "variable_declaration"), None)
                if variable is not None and variable.named_children:
                    names.append(text(variable.named_children[0]))
            elif node.type in ("function_declaration", "class_declaration", "object_declaration"):
                named = node.child_by_field_name("name")
                names.append(text(named) if named is not None else "")
        return names


# --- Spring Kafka @KafkaListener functions that acknowledge themselves (auditor.sources.code.listeners)


def listener_annotation(function: Node) -> Node | None:
    modifiers = next((c for c in function.named_children if c.type == "modifiers"), None)
    for annotation in modifiers.named_children if modifiers is not None else []:
        named = next((n for n in walk(annotation) if n.type == "user_type"), None)
        if annotation.type == "annotation" and text(named).endswith("KafkaListener"):
            return annotation
    return None


def _annotation_arguments(annotation: Node) -> list[Node]:
    """The named arguments (`topics = [...]`, `groupId = "..."`) of @KafkaListener(...)."""
    invocation = next((c for c in annotation.named_children if c.type == "constructor_invocation"), None)
    arguments = (
        next((c for c in invocation.named_children if c.type == "value_arguments"), None) if invocation else None
    )
    found = arguments.named_children if arguments is not None else []
    return [a for a in found if len(a.named_children) == 2 and a.named_children[0].type == "identifier"]


def acknowledgment(function: Node) -> Node | None:
    """The listener's `Acknowledgment` (or `Acknowledgment?`) parameter."""
    parameters = next((c for c in function.named_children if c.type == "function_value_parameters"), None)
    for parameter in parameters.named_children if parameters is not None else []:
        written = text(parameter.named_children[-1]) if parameter.named_children else ""
        if parameter.type == "parameter" and written.rstrip("?").rsplit(".", 1)[-1] == "Acknowledgment":
            return parameter
    return None


def acknowledged(function: Node, parameter: Node) -> tuple[Value, int]:
    """Where the listener calls acknowledge() (or ?.acknowledge()) on its Acknowledgment parameter."""
    name = text(parameter.named_children[0]) if parameter.named_children else ""
    body = next((c for c in function.named_children if c.type == "function_body"), None)
    block = body.named_children[0] if body is not None and body.named_children else body
    calls = [
        n
        for n in (walk(block) if block is not None else iter(()))
        if n.type == "call_expression" and _callee(n).replace("?.", ".") == f"{name}.acknowledge"
    ]
    return listeners.acknowledged(calls, block, name, line(parameter), SYNTAX)


def _incidental(statement: Node) -> bool:
    """A log line (`log.info(...)`, `logger.info { ... }`, `println(...)`) or a bare return: not processing."""
    if statement.type in ("return_expression", "jump_expression"):
        return text(statement).strip() == "return"
    if statement.type != "call_expression" or not statement.named_children:
        return False
    callee = statement.named_children[0]
    if callee.type == "identifier":
        return text(callee) in ("println", "print")
    receiver = callee.named_children[0] if callee.type == "navigation_expression" and callee.named_children else None
    return receiver is not None and text(receiver) in listeners.LOGGERS


SYNTAX = listeners.Syntax(
    handlers=frozenset({"catch_block", "finally_block"}),
    callbacks=frozenset({"lambda_literal", "anonymous_function", "object_literal"}),
    comments=frozenset({"line_comment", "block_comment"}),
    incidental=_incidental,
)

LISTENERS = listeners.ListenerGrammar("function_declaration", listener_annotation, acknowledgment, acknowledged)


def read_kotlin(source: str, path: str) -> tuple[list[Site], list[CoverageGap]]:
    reader = KotlinReader(parse("kotlin", source), path)
    reader.read()
    return reader.sites, reader.gaps
