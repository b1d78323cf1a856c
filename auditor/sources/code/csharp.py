"""C# clients, read with tree-sitter: Confluent.Kafka.

`new ProducerConfig { Acks = Acks.Leader, ... }` / `new ConsumerConfig { ... }` object initialisers
and later property sets (`config.EnableIdempotence = true;`), passed to
`new ProducerBuilder<K, V>(config)` / `new ConsumerBuilder<K, V>(config)`: each builder is a
client. A configuration built in the file but given to no builder there (registered for
dependency injection) is a client at its own line. Property names map to librdkafka's
(EnableIdempotence -> enable.idempotence), so librdkafka's aliases and defaults apply.
A C# 9 target-typed `new() { ... }` is read as the type it initialises: a local or a field
(`ProducerConfig config = new() { Acks = Acks.Leader };`), a property, a method's return
(`ProducerConfig Make() => new() { ... }`); so is a target-typed builder
(`ProducerBuilder<K, V> builder = new(config);`).
A configuration handed to a method (`configuration.GetSection("Kafka").Bind(config)`) may be set
there: keys it leaves out are unknown. A builder the reader does not follow (a class deriving from
ProducerBuilder/ConsumerBuilder and what it builds) is a "client construction not understood" gap
at its line.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from auditor.model import CoverageGap, Role
from auditor.sources.code.base import Site, Value, not_understood
from auditor.sources.code.tree import enclosing, line, parse, short, text, walk

MAX_DEPTH = 10
CONFIGS = {"ProducerConfig": Role.PRODUCER, "ConsumerConfig": Role.CONSUMER}
BUILDERS = {"ProducerBuilder": Role.PRODUCER, "ConsumerBuilder": Role.CONSUMER}
SCOPES = frozenset({"method_declaration", "constructor_declaration", "local_function_statement", "lambda_expression"})
CREATIONS = frozenset({"object_creation_expression", "implicit_object_creation_expression"})  # new T(), new()
ENUMS = {
    "Acks.All": "all",
    "Acks.Leader": "1",
    "Acks.None": "0",
    "AutoOffsetReset.Earliest": "earliest",
    "AutoOffsetReset.Latest": "latest",
    "AutoOffsetReset.Error": "none",
    "IsolationLevel.ReadCommitted": "read_committed",
    "IsolationLevel.ReadUncommitted": "read_uncommitted",
}
_WORD = re.compile(r"(?<!^)(?=[A-Z])")


def librdkafka_key(name: str) -> str:
    """EnableIdempotence -> enable.idempotence (Confluent.Kafka's properties are librdkafka's keys)."""
    return _WORD.sub(".", name).lower()


def type_name(node: Node | None) -> str:
    if node is None:
        return ""
    if node.type == "generic_name":
        return text(node.named_children[0]) if node.named_children else ""
    if node.type == "qualified_name":
        return type_name(node.child_by_field_name("name"))
    if node.type == "nullable_type":  # ProducerConfig?
        return type_name(node.named_children[0]) if node.named_children else ""
    return text(node)


def created_type(creation: Node) -> str:
    """The type a creation makes: its own (`new ProducerConfig { ... }`), or for a C# 9 target-typed
    `new() { ... }` the declared type of what it initialises: a local or field, a property, the
    return of the method or property whose body it is; "" when that type is not written there."""
    if creation.type == "object_creation_expression":
        return type_name(creation.child_by_field_name("type"))
    parent = creation.parent
    if parent is None:
        return ""
    if parent.type == "variable_declarator":
        declaration = parent.parent
        return type_name(declaration.child_by_field_name("type")) if declaration is not None else ""
    owner = parent if parent.type == "property_declaration" else None
    if parent.type in ("arrow_expression_clause", "return_statement"):
        owner = parent.parent if parent.type == "arrow_expression_clause" else enclosing(creation, SCOPES)
    if owner is None:
        return ""
    return type_name(owner.child_by_field_name("returns") or owner.child_by_field_name("type"))


class CSharpReader:
    def __init__(self, root: Node, path: str) -> None:
        self.root = root
        self.path = path
        self.sites: list[Site] = []
        self.gaps: list[CoverageGap] = []

    def read(self) -> None:
        used: set[int] = set()  # configurations a builder of this file takes
        creations = [n for n in walk(self.root) if n.type in CREATIONS]
        self.unfollowed(creations)
        for creation in creations:
            role = BUILDERS.get(created_type(creation))
            if role is None:
                continue
            site = Site(role, "librdkafka", line(creation), names=self.names_of(creation))
            self.sites.append(site)
            argument = _first_argument(creation)
            config = self.config_of(site, argument, creation) if argument is not None else None
            if argument is None:
                site.hide("the builder is given no configuration the reader can see")
            if config is not None:
                used.add(config[0].id)
                self.configure(site, *config)
        for creation in creations:
            role = CONFIGS.get(created_type(creation))
            if role is not None and creation.id not in used:
                site = Site(role, "librdkafka", line(creation), names=self.names_of(creation))
                self.sites.append(site)
                self.configure(site, creation, self.holder(creation), 10**9)

    def unfollowed(self, creations: list[Node]) -> None:
        """Builders the reader does not follow: subclasses of the builders (and their creations)."""
        subclasses: dict[str, str] = {}
        for node in walk(self.root):
            if node.type == "base_list":
                base = next((type_name(t) for t in node.named_children if type_name(t) in BUILDERS), None)
                name = text(node.parent.child_by_field_name("name")) if node.parent is not None else ""
                if base is not None:
                    subclasses[name] = base
                    why = f"{name} derives from {base}: the clients it builds are not followed"
                    self.gaps.append(not_understood(self.path, line(node), why))
        for creation in creations:
            name = created_type(creation)
            if name in subclasses:
                why = f"{short(creation)} builds through {name}, a subclass of {subclasses[name]}"
                self.gaps.append(not_understood(self.path, line(creation), why))

    def config_of(self, site: Site, argument: Node, at: Node) -> tuple[Node, str | None, int] | None:
        """(the config creation, the variable holding it, the line it is used at)."""
        if argument.type == "object_creation_expression":
            return argument, None, line(at)
        if argument.type == "identifier":
            declared = self.declaration(text(argument), at)
            if declared is not None and declared.type in CREATIONS:
                return declared, text(argument), line(at)
            site.hide(f"the configuration {text(argument)} is not built in this file")
            return None
        site.hide(f"the configuration {short(argument)} is not built in this file")
        return None

    def configure(self, site: Site, creation: Node, variable: str | None, until: int) -> None:
        copied = _first_argument(creation)  # new ProducerConfig(sharedClientConfig)
        if copied is not None:
            base = self.declaration(text(copied), creation) if copied.type == "identifier" else copied
            if base is not None and base.type in CREATIONS:
                self.configure(site, base, text(copied) if copied.type == "identifier" else None, line(creation))
            else:
                site.hide(f"the configuration copies {short(copied)}, not built in this file")
        initializer = _part(creation, "initializer", "initializer_expression")
        for assignment in initializer.named_children if initializer is not None else []:
            if assignment.type == "assignment_expression":
                self.assign(
                    site, assignment.child_by_field_name("left"), assignment.child_by_field_name("right"), creation
                )
        if variable is None:
            return
        scope = enclosing(creation, SCOPES) or self.root
        for node in walk(scope):
            if node.type == "invocation_expression" and line(node) <= until and _passes(node, variable):
                site.hide(f"{short(node)} (line {line(node)}) may set it")
            if node.type == "assignment_expression" and line(node) <= until:
                left = node.child_by_field_name("left")
                if (
                    left is not None
                    and left.type == "member_access_expression"
                    and text(left.child_by_field_name("expression")) == variable
                ):
                    self.assign(site, left.child_by_field_name("name"), node.child_by_field_name("right"), node)

    def assign(self, site: Site, left: Node | None, right: Node | None, at: Node) -> None:
        if left is None or right is None:
            return
        site.set(
            librdkafka_key(text(left)),
            self.value(right, at, 0),
            line(left),
            text(right) if text(right) in ENUMS else None,
        )

    def value(self, node: Node, at: Node, depth: int) -> Value:
        if depth > MAX_DEPTH:
            return Value.unknown("built too indirectly to follow")
        kind = node.type
        if kind == "string_literal":
            return Value("".join(text(c) for c in node.named_children))
        if kind in ("integer_literal", "real_literal"):
            return Value(text(node).rstrip("lLuU").replace("_", ""))
        if kind == "boolean_literal":
            return Value(text(node))
        if kind == "prefix_unary_expression" and text(node).replace(" ", "") == "-1":
            return Value("-1")
        if text(node) in ENUMS:
            return Value(ENUMS[text(node)])
        if "Environment." in text(node):
            return Value.unknown(f"read from the environment: {short(node)}")
        if kind == "identifier":
            declared = self.declaration(text(node), at)
            if declared is None:
                return Value.unknown(f"{text(node)} is not assigned in this file")
            return self.value(declared, declared, depth + 1)
        return Value.unknown(f"{short(node)} is not known in this file")

    def declaration(self, name: str, at: Node) -> Node | None:
        """The initial value of a local, or of a field / const of the file."""
        scope = enclosing(at, SCOPES)
        for container in (scope, self.root) if scope is not None else (self.root,):
            found: Node | None = None
            for node in walk(container):
                if node.type == "variable_declarator" and text(node.child_by_field_name("name")) == name:
                    if container is self.root and enclosing(node, SCOPES) is not None:
                        continue  # another method's local
                    if container is self.root or line(node) <= line(at):
                        values = [c for c in node.named_children if c != node.child_by_field_name("name")]
                        found = values[-1] if values else None
            if found is not None:
                return found
        return None

    def holder(self, creation: Node) -> str | None:
        parent = creation.parent
        if parent is not None and parent.type == "variable_declarator":
            return text(parent.child_by_field_name("name"))
        if parent is not None and parent.type == "assignment_expression":
            return text(parent.child_by_field_name("left"))
        return None

    def names_of(self, node: Node) -> list[str]:
        names: list[str] = []
        current: Node | None = node
        while current is not None:
            if current.type == "variable_declarator":
                names.append(text(current.child_by_field_name("name")))
            if current.type in ("method_declaration", "class_declaration", "property_declaration"):
                names.append(text(current.child_by_field_name("name")))
            current = current.parent
        return names


def _passes(invocation: Node, variable: str) -> bool:
    """Whether the call is handed the variable (Bind(config), Configure(config)): it may set it."""
    arguments = invocation.child_by_field_name("arguments")
    return arguments is not None and any(
        text(a.named_children[-1] if a.type == "argument" and a.named_children else a) == variable
        for a in arguments.named_children
    )


def _part(creation: Node, field: str, kind: str) -> Node | None:
    """A creation's argument list or initializer: a field of `new T(...)`, an unnamed child of `new()`."""
    return creation.child_by_field_name(field) or next((c for c in creation.children if c.type == kind), None)


def _first_argument(creation: Node) -> Node | None:
    arguments = _part(creation, "arguments", "argument_list")
    first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
    return (
        first.named_children[-1] if first is not None and first.type == "argument" and first.named_children else first
    )


def read_csharp(source: str, path: str) -> tuple[list[Site], list[CoverageGap]]:
    reader = CSharpReader(parse("csharp", source), path)
    reader.read()
    return reader.sites, reader.gaps
