"""Java clients, read with tree-sitter: kafka-clients and Spring Kafka's factories.

- `new KafkaProducer<>(props)`, `new KafkaConsumer<>(props)`, `new DefaultKafkaProducerFactory<>(props)`,
  `new DefaultKafkaConsumerFactory<>(props)`: the configuration is a `Properties` or `Map` built in
  the same file with `put`/`setProperty`/`putAll`, `Map.of`/`Map.ofEntries`, a `new HashMap<>(...)`
  copy, or returned by a method of the same file (Spring's `producerConfigs()` bean).
- Keys: string literals, `ProducerConfig`/`ConsumerConfig`/`CommonClientConfigs` constants (also
  statically imported) and `static final` strings of the file.
- Spring Kafka: `setAckMode(ContainerProperties.AckMode.X)` in the file applies to its consumer
  factories; Spring's listener container turns auto-commit off unless it is set.
- Spring Kafka `@KafkaListener` methods taking an `Acknowledgment` commit manually (Spring requires
  a MANUAL ack mode for it): `ack.acknowledge()` as the listener's last step (logging and a bare
  return aside) commits after processing; first, or in a catch/finally block (a failed record is
  acknowledged too), before it; anywhere else, in a callback or never, is not known. It applies
  to the file's Spring consumer factories; without one, each such listener is a consumer of its
  own at its annotation (groupId and `properties` read, the rest its container factory's: unknown).
"""

from __future__ import annotations

from tree_sitter import Node

from auditor.model import CoverageGap, Role
from auditor.sources.code import listeners
from auditor.sources.code.base import Site, Value, not_understood
from auditor.sources.code.tree import ancestors, enclosing, line, parse, short, text, walk

MAX_DEPTH = 12
CLIENTS: dict[str, tuple[str, Role]] = {
    "KafkaProducer": ("java", Role.PRODUCER),
    "KafkaConsumer": ("java", Role.CONSUMER),
    "DefaultKafkaProducerFactory": ("spring", Role.PRODUCER),
    "DefaultKafkaConsumerFactory": ("spring", Role.CONSUMER),
}
CONFIG_CLASSES = frozenset({"ProducerConfig", "ConsumerConfig", "CommonClientConfigs"})
# Constants whose name is not the property's name with '_' for '.'
CONSTANT_KEYS = {
    "KEY_SERIALIZER_CLASS_CONFIG": "key.serializer",
    "VALUE_SERIALIZER_CLASS_CONFIG": "value.serializer",
    "KEY_DESERIALIZER_CLASS_CONFIG": "key.deserializer",
    "VALUE_DESERIALIZER_CLASS_CONFIG": "value.deserializer",
    "MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION": "max.in.flight.requests.per.connection",
}
NUMBER_CONSTANTS = {
    "Integer.MAX_VALUE": "2147483647",
    "Long.MAX_VALUE": "9223372036854775807",
    "Boolean.TRUE": "true",
    "Boolean.FALSE": "false",
}
CONVERSIONS = frozenset({"valueOf", "toString", "parseInt", "parseBoolean"})
MUTATORS = frozenset({"put", "setProperty", "putIfAbsent"})
SCOPES = frozenset({"method_declaration", "constructor_declaration", "lambda_expression", "static_initializer"})


def constant_key(name: str) -> str | None:
    """ACKS_CONFIG -> acks; None when the name is not a config constant."""
    if name in CONSTANT_KEYS:
        return CONSTANT_KEYS[name]
    if not name.endswith("_CONFIG"):
        return None
    return name.removesuffix("_CONFIG").lower().replace("_", ".")


def type_name(node: Node | None) -> str:
    if node is None:
        return ""
    if node.type == "generic_type":
        return type_name(node.named_children[0] if node.named_children else None)
    if node.type == "scoped_type_identifier":
        return text(node.named_children[-1]) if node.named_children else ""
    return text(node)


class JavaReader:
    def __init__(self, root: Node, path: str) -> None:
        self.root = root
        self.path = path
        self.fields: dict[str, Node] = {}  # field name -> its variable_declarator
        self.methods: dict[str, Node] = {}  # method without parameters -> its declaration
        self.static_config_import = False
        self.sites: list[Site] = []
        self.gaps: list[CoverageGap] = []

    def index(self) -> None:
        for node in walk(self.root):
            if node.type == "field_declaration":
                for declarator in node.children_by_field_name("declarator"):
                    self.fields[text(declarator.child_by_field_name("name"))] = declarator
            elif node.type == "method_declaration":
                parameters = node.child_by_field_name("parameters")
                if parameters is not None and not parameters.named_children:
                    self.methods[text(node.child_by_field_name("name"))] = node
            elif node.type == "import_declaration" and "static" in text(node):
                self.static_config_import |= any(c in text(node) for c in CONFIG_CLASSES)

    def read(self) -> None:
        self.index()
        ack_modes: list[tuple[str, int]] = []
        for node in walk(self.root):
            if node.type == "object_creation_expression":
                client = CLIENTS.get(type_name(node.child_by_field_name("type")))
                if client is not None:
                    self.sites.append(self.site(node, *client))
            elif node.type == "method_reference" and text(node).split("::")[0].split("<")[0].strip() in CLIENTS:
                self.gaps.append(not_understood(self.path, line(node), f"{short(node)} builds it indirectly"))
            elif node.type == "method_invocation" and text(node.child_by_field_name("name")) == "setAckMode":
                arguments = node.child_by_field_name("arguments")
                if arguments is not None and arguments.named_children:
                    ack_modes.append((text(arguments.named_children[0]).rsplit(".", 1)[-1], line(node)))
        modes = [(mode, at, "setAckMode in this file") for mode, at in ack_modes]
        listeners.spring_listeners(self.sites, self.root, modes, LISTENERS, self.listener)

    def listener(self, method: Node, annotation: Node) -> Site:
        """A @KafkaListener as a consumer: groupId and `properties` of the annotation; the rest is
        its container factory's, configured elsewhere."""
        site = Site(Role.CONSUMER, "spring", line(annotation), names=self.names_of(annotation))
        arguments = annotation.child_by_field_name("arguments")
        for pair in arguments.named_children if arguments is not None else []:
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if pair.type != "element_value_pair" or value is None:
                continue
            if text(key) in listeners.ANNOTATION_KEYS:
                site.set(listeners.ANNOTATION_KEYS[text(key)], self.value(value, pair, 0), line(pair))
            elif text(key) == "properties":
                items = value.named_children if value.type == "element_value_array_initializer" else [value]
                for item in items:
                    listeners.listener_property(site, self.value(item, pair, 0), line(item))
        site.hide(listeners.OUTSIDE)
        return site

    def site(self, creation: Node, library: str, role: Role) -> Site:
        site = Site(role, library, line(creation), names=self.names_of(creation))
        arguments = creation.child_by_field_name("arguments")
        config = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        if config is None:
            site.hide("the client is built without a configuration the reader can see")
        else:
            self.mapping(site, config, creation, 0)
        return site

    # --- the configuration map

    def mapping(self, site: Site, node: Node, at: Node, depth: int) -> None:
        if depth > MAX_DEPTH:
            site.hide("the configuration is built too indirectly to follow")
            return
        if node.type == "object_creation_expression":
            arguments = node.child_by_field_name("arguments")
            if arguments is not None and arguments.named_children:  # new HashMap<>(other)
                self.mapping(site, arguments.named_children[0], at, depth + 1)
            body = next((c for c in node.named_children if c.type == "class_body"), None)
            if body is not None:  # double-brace initialisation: new HashMap<>() {{ put(k, v); }}
                self.mutations(site, body, None, 0, 10**9, depth)
            return
        if node.type == "method_invocation":
            self.invocation(site, node, at, depth)
            return
        if node.type == "identifier":
            self.variable(site, text(node), at, depth)
            return
        site.hide(f"the configuration {short(node)} (line {line(node)}) is not built in this file")

    def invocation(self, site: Site, node: Node, at: Node, depth: int) -> None:
        owner = text(node.child_by_field_name("object"))
        name = text(node.child_by_field_name("name"))
        arguments = node.child_by_field_name("arguments")
        values = arguments.named_children if arguments is not None else []
        if name == "of" and owner.endswith("Map"):
            for key, value in zip(values[::2], values[1::2], strict=False):
                self.put(site, key, value, at, depth)
            return
        if name == "ofEntries" and owner.endswith("Map"):
            for entry in values:
                pair = entry.child_by_field_name("arguments")
                if pair is not None and len(pair.named_children) == 2:
                    self.put(site, pair.named_children[0], pair.named_children[1], at, depth)
            return
        if not owner and name in self.methods:  # producerConfigs(): a method of this file returns it
            for statement in walk(self.methods[name]):
                if statement.type == "return_statement" and statement.named_children:
                    self.mapping(site, statement.named_children[0], statement, depth + 1)
            return
        site.hide(f"the configuration {short(node)} (line {line(node)}) is not built in this file")

    def variable(self, site: Site, name: str, at: Node, depth: int) -> None:
        declarator = self.declaration(name, at)
        if declarator is None:
            site.hide(f"the configuration {name} is not built in this file")
            return
        if declarator.type == "formal_parameter":
            site.hide(f"the configuration {name} is a parameter (line {line(declarator)})")
            return
        value = declarator.child_by_field_name("value")
        if value is not None:
            self.mapping(site, value, declarator, depth + 1)
        scope = enclosing(declarator, SCOPES) or self.root
        until = line(at) if scope is not self.root else 10**9
        self.mutations(site, scope, name, line(declarator), until, depth)

    def mutations(self, site: Site, scope: Node, name: str | None, since: int, until: int, depth: int) -> None:
        """props.put(k, v), props.setProperty(k, v), props.putAll(other) on the variable, in order."""
        for node in walk(scope):
            if node.type != "method_invocation" or not since <= line(node) <= until:
                continue
            owner = node.child_by_field_name("object")
            if (text(owner) if owner is not None else None) != name:
                continue
            method = text(node.child_by_field_name("name"))
            arguments = node.child_by_field_name("arguments")
            values = arguments.named_children if arguments is not None else []
            if method in MUTATORS and len(values) == 2:
                self.put(site, values[0], values[1], node, depth)
            elif method == "putAll" and len(values) == 1:
                self.mapping(site, values[0], node, depth + 1)

    def put(self, site: Site, key_node: Node, value_node: Node, at: Node, depth: int) -> None:
        key = self.key(key_node, at, depth)
        if key.text is None:
            site.hide(f"a key of the configuration is not known ({key.reason})")
            return
        site.set(key.text, self.value(value_node, at, depth + 1), line(key_node))

    # --- keys and values

    def key(self, node: Node, at: Node, depth: int) -> Value:
        if node.type == "field_access":
            owner, field = text(node.child_by_field_name("object")), text(node.child_by_field_name("field"))
            if owner.rsplit(".", 1)[-1] in CONFIG_CLASSES and constant_key(field):
                return Value(constant_key(field))
        if node.type == "identifier" and text(node) not in self.fields and self.static_config_import:
            key = constant_key(text(node))
            if key is not None:
                return Value(key)
        return self.value(node, at, depth + 1)

    def value(self, node: Node, at: Node, depth: int) -> Value:
        if depth > MAX_DEPTH:
            return Value.unknown("built too indirectly to follow")
        kind = node.type
        if kind == "string_literal":
            return Value("".join(text(c) for c in node.named_children) if node.named_children else "")
        if kind in ("decimal_integer_literal", "hex_integer_literal"):
            return Value(text(node).rstrip("lL").replace("_", ""))
        if kind in ("true", "false"):
            return Value(kind)
        if kind == "unary_expression" and text(node).replace(" ", "") in ("-1", "-0"):
            return Value(text(node).replace(" ", ""))
        if kind == "parenthesized_expression" and node.named_children:
            return self.value(node.named_children[0], at, depth + 1)
        if kind == "field_access" and text(node) in NUMBER_CONSTANTS:
            return Value(NUMBER_CONSTANTS[text(node)])
        if kind == "method_invocation":
            return self.call_value(node, at, depth)
        if kind == "identifier":
            return self.identifier_value(text(node), at, depth)
        return Value.unknown(f"{short(node)} is not known in this file")

    def call_value(self, node: Node, at: Node, depth: int) -> Value:
        owner = text(node.child_by_field_name("object"))
        name = text(node.child_by_field_name("name"))
        arguments = node.child_by_field_name("arguments")
        values = arguments.named_children if arguments is not None else []
        if owner == "System" and name in ("getenv", "getProperty"):
            return Value.unknown(f"read from the environment: {short(node)}")
        if name in CONVERSIONS and owner in ("String", "Integer", "Long", "Boolean", "Short") and len(values) == 1:
            return self.value(values[0], at, depth + 1)
        return Value.unknown(f"{short(node)} is not known in this file")

    def identifier_value(self, name: str, at: Node, depth: int) -> Value:
        declarator = self.declaration(name, at)
        if declarator is None:
            return Value.unknown(f"{name} is not declared in this file")
        if declarator.type == "formal_parameter":
            return Value.unknown(f"{name} is a parameter (line {line(declarator)})")
        field = declarator.parent
        modifiers = next((c for c in field.named_children if c.type == "modifiers"), None) if field else None
        annotations = walk(modifiers) if modifiers is not None else iter(())
        injected = next((a for a in annotations if a.type in ("annotation", "marker_annotation")), None)
        if injected is not None and "Value" in text(injected):
            return Value.unknown(f"injected by Spring {short(injected)}")
        value = declarator.child_by_field_name("value")
        if value is None:
            return Value.unknown(f"{name} is assigned outside its declaration")
        return self.value(value, declarator, depth + 1)

    def declaration(self, name: str, at: Node) -> Node | None:
        """The local variable or parameter visible at `at`, else a field of the file."""
        scope = enclosing(at, SCOPES)
        while scope is not None:
            found: Node | None = None
            for node in walk(scope):
                if (
                    node.type in ("variable_declarator", "formal_parameter")
                    and line(node) <= line(at)
                    and text(node.child_by_field_name("name")) == name
                    and node.parent is not None
                    and node.parent.type != "field_declaration"
                ):
                    found = node
            if found is not None:
                return found
            scope = enclosing(scope, SCOPES)
        return self.fields.get(name)

    def names_of(self, creation: Node) -> list[str]:
        names: list[str] = []
        parent = creation.parent
        if parent is not None and parent.type in ("variable_declarator", "assignment_expression"):
            target = parent.child_by_field_name("name") or parent.child_by_field_name("left")
            names.append(text(target).rsplit(".", 1)[-1])
        for node in (creation, *ancestors(creation)):
            if node.type in ("method_declaration", "class_declaration", "record_declaration"):
                names.append(text(node.child_by_field_name("name")))
        return names


# --- Spring Kafka @KafkaListener methods that acknowledge themselves (auditor.sources.code.listeners)


def listener_annotation(method: Node) -> Node | None:
    modifiers = next((c for c in method.named_children if c.type == "modifiers"), None)
    annotations = modifiers.named_children if modifiers is not None else []
    return next((a for a in annotations if text(a.child_by_field_name("name")).endswith("KafkaListener")), None)


def acknowledgment(method: Node) -> Node | None:
    """The listener's `Acknowledgment` parameter."""
    parameters = method.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else []:
        if (
            parameter.type == "formal_parameter"
            and type_name(parameter.child_by_field_name("type")) == "Acknowledgment"
        ):
            return parameter
    return None


def acknowledged(method: Node, parameter: Node) -> tuple[Value, int]:
    """Where the listener calls acknowledge() on its Acknowledgment parameter."""
    name = text(parameter.child_by_field_name("name"))
    body = method.child_by_field_name("body")
    calls = [
        n
        for n in (walk(body) if body is not None else iter(()))
        if n.type == "method_invocation"
        and text(n.child_by_field_name("object")) == name
        and text(n.child_by_field_name("name")) == "acknowledge"
    ]
    return listeners.acknowledged(calls, body, name, line(parameter), SYNTAX)


def _incidental(statement: Node) -> bool:
    """A log line or a bare return: not processing."""
    if statement.type == "return_statement":
        return not statement.named_children
    call = (
        statement.named_children[0] if statement.type == "expression_statement" and statement.named_children else None
    )
    return (
        call is not None
        and call.type == "method_invocation"
        and text(call.child_by_field_name("object")) in listeners.LOGGERS
    )


SYNTAX = listeners.Syntax(
    handlers=frozenset({"catch_clause", "finally_clause"}),
    callbacks=frozenset({"lambda_expression", "class_body"}),
    comments=frozenset({"line_comment", "block_comment"}),
    incidental=_incidental,
)

LISTENERS = listeners.ListenerGrammar("method_declaration", listener_annotation, acknowledgment, acknowledged)


def read_java(source: str, path: str) -> tuple[list[Site], list[CoverageGap]]:
    reader = JavaReader(parse("java", source), path)
    reader.read()
    return reader.sites, reader.gaps
