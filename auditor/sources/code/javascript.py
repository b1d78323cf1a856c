"""JavaScript and TypeScript clients, read with tree-sitter: kafkajs and node-rdkafka.

- kafkajs: `kafka.producer({ idempotent, maxInFlightRequests, retry: { retries }, transactionalId })`,
  `kafka.consumer({ groupId, readUncommitted })`; then, on the variable holding the client,
  `send`/`sendBatch({ acks })` (the weakest acks of the file's sends is judged), `subscribe({ fromBeginning })`
  and `run({ autoCommit })`.
- node-rdkafka: `new Kafka.Producer(conf, topicConf)`, `new Kafka.HighLevelProducer(...)`,
  `new Kafka.KafkaConsumer(conf, topicConf)`, `Kafka.Producer.createWriteStream(...)`,
  `Kafka.KafkaConsumer.createReadStream(...)`: librdkafka keys of both objects.
Objects resolve through literals, `const`/`let` variables of the file and `...spread`; `process.env`
is unknown with the reason. A kafkajs producer inherits the `retry` of the `new Kafka({...})` that
builds it (its own `retry` wins, key by key); a `new Kafka(...)` whose configuration is not seen (a
call, a spread or a variable not built in the file) is a "client construction not understood" gap at
its line and its producers' retries are unknown (as are those of a producer built from a Kafka
client of another file or a parameter). A client factory or class named but not called
(`const make = kafka.producer`, `[a, b].map(kafka.consumer)`, `class Mine extends Kafka.Producer`)
is such a gap too.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from auditor.model import CoverageGap, Role
from auditor.sources.code import listeners
from auditor.sources.code.base import Site, Value, not_understood
from auditor.sources.code.tree import ancestors, enclosing, line, parse, short, text, walk

MAX_DEPTH = 10
SCOPES = frozenset(
    {"function_declaration", "function_expression", "arrow_function", "method_definition", "function", "program"}
)
WRAPPERS = frozenset({"as_expression", "satisfies_expression", "non_null_expression", "parenthesized_expression"})
KAFKAJS_PRODUCER = {
    "idempotent": "enable.idempotence",
    "maxInFlightRequests": "max.in.flight.requests.per.connection",
    "transactionalId": "transactional.id",
}
KAFKAJS_CONSUMER = {"groupId": "group.id"}
RDKAFKA_CLASSES = {
    "Producer": Role.PRODUCER,
    "HighLevelProducer": Role.PRODUCER,
    "KafkaConsumer": Role.CONSUMER,
}
ACKS_RANK = {"0": 0, "1": 1, None: 2, "all": 3, "-1": 3}
CALLBACKS = frozenset({"arrow_function", "function_expression", "function"})
_MODULE = re.compile(r"""^['"](kafkajs|node-rdkafka)['"]$""")


class JavaScriptReader:
    def __init__(self, root: Node, path: str) -> None:
        self.root = root
        self.path = path
        self.modules: dict[str, str] = {}  # a name bound to the module or one of its exports -> the module
        self.instances: dict[str, Node] = {}  # where a kafkajs `new Kafka(...)` is held -> that expression
        self.sites: list[Site] = []
        self.gaps: list[CoverageGap] = []

    def index(self) -> None:
        for node in walk(self.root):
            if node.type == "import_statement":
                source = text(node.child_by_field_name("source"))
                match = _MODULE.match(source)
                if match:
                    for name in walk(node):
                        if name.type == "identifier":
                            self.modules[text(name)] = match.group(1)
            elif node.type == "variable_declarator":
                value = node.child_by_field_name("value")
                while value is not None and value.type == "member_expression":  # require('x').KafkaJS
                    value = value.child_by_field_name("object")
                if (
                    value is not None
                    and value.type == "call_expression"
                    and text(value.child_by_field_name("function")) == "require"
                ):
                    arguments = value.child_by_field_name("arguments")
                    match = (
                        _MODULE.match(text(arguments.named_children[0]))
                        if arguments and arguments.named_children
                        else None
                    )
                    if match:
                        for name in walk(node.child_by_field_name("name") or node):
                            if name.type in ("identifier", "shorthand_property_identifier_pattern"):
                                self.modules[text(name)] = match.group(1)

    def read(self) -> None:
        self.index()
        if not self.modules:
            return
        renamed = self.renamed_kafka()
        for node in walk(self.root):
            constructor = node.child_by_field_name("constructor") if node.type == "new_expression" else None
            parts = text(constructor).split(".")
            if self.modules.get(parts[0]) == "kafkajs" and (parts[-1] == "Kafka" or parts[0] in renamed):
                self.kafka_client(node)
        for node in walk(self.root):
            if node.type == "call_expression":
                function = node.child_by_field_name("function")
                if function is not None and function.type == "member_expression":
                    self.member_call(node, function)
            elif node.type == "new_expression":
                self.rdkafka(node, text(node.child_by_field_name("constructor")), node.child_by_field_name("arguments"))
            elif node.type in ("member_expression", "identifier") and self.uncalled(node):
                why = f"{text(node)} is used without being called (a client factory or class not followed)"
                self.gaps.append(not_understood(self.path, line(node), why))

    def renamed_kafka(self) -> set[str]:
        renamed = set()
        for node in walk(self.root):
            names = node.named_children
            if node.type in ("import_specifier", "pair_pattern") and len(names) == 2 and text(names[0]) == "Kafka":
                renamed.add(text(names[1]))
        return renamed

    def kafka_client(self, creation: Node) -> None:
        """A kafkajs `new Kafka(config)`: held for its producers; a configuration not seen is a gap."""
        holder = self.holder(creation)
        if holder is not None:
            self.instances[holder] = creation
        hidden = self.inherited_retries(Site(Role.PRODUCER, "kafkajs", line(creation)), creation)
        if hidden:
            why = f"{short(creation)}: the retry every producer it builds inherits is not seen ({hidden})"
            self.gaps.append(not_understood(self.path, line(creation), why))

    def inherited_retries(self, site: Site, creation: Node) -> str | None:
        """The `retry: { retries }` of a `new Kafka(...)`, which kafkajs gives every producer it builds
        (the producer's own retry wins); why the configuration is not seen, if it is not."""
        arguments = creation.child_by_field_name("arguments")
        config = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        probe = Site(site.role, site.library, site.line)
        for key, value, _ in self.pairs(probe, config, creation, 0) if config is not None else []:
            if key == "retry":
                for inner, retries, where in self.pairs(probe, value, creation, 1):
                    if inner == "retries":
                        site.set("retries", self.value(retries, creation, 0), where, "retry of the Kafka client")
        if probe.opaque:
            reason = f"the Kafka client of line {line(creation)} may set it: {probe.opaque}"
            site.set("retries", Value.unknown(reason), line(creation))
        return probe.opaque

    def uncalled(self, node: Node) -> bool:
        """A kafkajs `kafka.producer`/`kafka.consumer` of a Kafka client of this file, or a node-rdkafka
        client class, named but neither called nor constructed (a factory kept as a value, a subclass)."""
        parent = node.parent
        if parent is None or enclosing(node, frozenset({"import_statement"})) is not None:
            return False
        if parent.type in ("call_expression", "new_expression") and node in (
            parent.child_by_field_name("function"),
            parent.child_by_field_name("constructor"),
        ):
            return False
        if parent.type == "member_expression":  # a longer name, Kafka.Producer.createWriteStream, but .bind(...)
            return text(parent.child_by_field_name("property")) in ("bind", "call", "apply") and self.client_name(node)
        if parent.type == "binary_expression" and text(parent.child_by_field_name("operator")) == "instanceof":
            return False
        if parent.type == "variable_declarator" and parent.child_by_field_name("name") == node:
            return False
        return self.client_name(node)

    def client_name(self, node: Node) -> bool:
        """`kafka.producer` / `kafka.consumer` of a Kafka client of this file, or a node-rdkafka client class."""
        if node.type == "member_expression":
            owner = text(node.child_by_field_name("object"))
            method = text(node.child_by_field_name("property"))
            if owner in self.instances and method in ("producer", "consumer"):
                return True
        parts = text(node).split(".")
        return self.modules.get(parts[0]) == "node-rdkafka" and parts[-1] in RDKAFKA_CLASSES

    def member_call(self, call: Node, function: Node) -> None:
        method = text(function.child_by_field_name("property"))
        owner = text(function.child_by_field_name("object"))
        if "kafkajs" in self.modules.values() and method in ("producer", "consumer"):
            self.kafkajs(call, Role.PRODUCER if method == "producer" else Role.CONSUMER)
        elif method in ("createWriteStream", "createReadStream"):
            self.rdkafka(call, owner, call.child_by_field_name("arguments"))

    # --- kafkajs

    def kafkajs(self, call: Node, role: Role) -> None:
        site = Site(role, "kafkajs", line(call), names=self.names_of(call))
        self.sites.append(site)
        function = call.child_by_field_name("function")
        client = self.instances.get(text(function.child_by_field_name("object"))) if function is not None else None
        if client is not None and role is Role.PRODUCER:
            self.inherited_retries(site, client)
        elif role is Role.PRODUCER:
            owner = " ".join(text(function.child_by_field_name("object") if function else None).split())
            reason = f"the Kafka client {owner} is not built in this file: the retry it gives its producers is not seen"
            site.set("retries", Value.unknown(reason), line(call))
        arguments = call.child_by_field_name("arguments")
        options = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        keys = KAFKAJS_PRODUCER if role is Role.PRODUCER else KAFKAJS_CONSUMER
        for key, value, at in self.pairs(site, options, call, 0) if options is not None else []:
            if key in keys:
                site.set(keys[key], self.value(value, call, 0), at)
            elif key == "retry" and role is Role.PRODUCER:
                for inner, retries, where in self.pairs(site, value, call, 1):
                    if inner == "retries":
                        site.set("retries", self.value(retries, call, 0), where)
            elif key == "readUncommitted":
                read = self.value(value, call, 0)
                level = None if read.text is None else ("read_uncommitted" if read.text == "true" else "read_committed")
                site.set("isolation.level", Value(level, read.reason), at)
        holder = self.holder(call)
        if holder is not None:
            self.client_calls(site, holder)

    def client_calls(self, site: Site, holder: str) -> None:
        """producer.send({ acks }), consumer.subscribe({ fromBeginning }), consumer.run({ autoCommit })."""
        acks: list[tuple[Value, int]] = []
        for node in walk(self.root):
            if node.type != "call_expression":
                continue
            function = node.child_by_field_name("function")
            if function is None or function.type != "member_expression":
                continue
            if text(function.child_by_field_name("object")) != holder:
                continue
            method = text(function.child_by_field_name("property"))
            arguments = node.child_by_field_name("arguments")
            options = arguments.named_children[0] if arguments is not None and arguments.named_children else None
            pairs = {k: (v, at) for k, v, at in self.pairs(site, options, node, 0)} if options is not None else {}
            if method in ("send", "sendBatch"):
                acks.append(
                    (self.value(pairs["acks"][0], node, 0), pairs["acks"][1])
                    if "acks" in pairs
                    else (Value("all"), line(node))
                )
            elif method == "subscribe" and "fromBeginning" in pairs:
                begin = self.value(pairs["fromBeginning"][0], node, 0)
                reset = None if begin.text is None else ("earliest" if begin.text == "true" else "latest")
                site.set(
                    "auto.offset.reset",
                    Value(reset, begin.reason),
                    pairs["fromBeginning"][1],
                    "subscribe fromBeginning",
                )
            elif method == "run" and "autoCommit" in pairs:
                site.set("enable.auto.commit", self.value(pairs["autoCommit"][0], node, 0), pairs["autoCommit"][1])
            if method == "run" and "eachBatch" in pairs:
                self.batch_resolves(site, pairs["eachBatch"][0])
        if acks and site.role is Role.PRODUCER:
            weakest = min(acks, key=lambda a: ACKS_RANK.get(a[0].text, 3 if a[0].text else 2))
            site.set("acks", weakest[0], weakest[1], "the weakest acks of this client's sends")

    def batch_resolves(self, site: Site, handler: Node) -> None:
        """An eachBatch handler that calls resolveOffset(message.offset) before its work has the offset
        committed whether or not the work succeeds (kafkajs auto-commits what is resolved)."""
        parameters = handler.child_by_field_name("parameters") if handler.type in CALLBACKS else None
        name = next((_resolver(p) for p in walk(parameters) if _resolver(p)), "") if parameters is not None else ""
        body = handler.child_by_field_name("body")
        calls = [
            n
            for n in (walk(body) if body is not None and name else iter(()))
            if n.type == "call_expression" and text(n.child_by_field_name("function")) == name
        ]
        if not calls:
            return  # eachBatchAutoResolve resolves the batch once the handler returns
        value, at = listeners.acknowledged(calls, body, name, line(handler), JS_SYNTAX)
        resolved = {listeners.BEFORE: "true", listeners.AFTER: "false"}.get(value.text or "")
        detail = {
            "true": "resolveOffset before processing: committed whether or not the message is processed",
            "false": "resolveOffset after processing",
        }.get(resolved or "")
        site.set("enable.auto.offset.store", Value(resolved) if resolved else value, at, detail)

    # --- node-rdkafka

    def rdkafka(self, node: Node, constructor: str, arguments: Node | None) -> None:
        parts = constructor.split(".")
        name = next((p for p in reversed(parts) if p in RDKAFKA_CLASSES), None)
        if name is None or not (parts[0] in self.modules and self.modules[parts[0]] == "node-rdkafka"):
            return
        site = Site(RDKAFKA_CLASSES[name], "librdkafka", line(node), names=self.names_of(node))
        self.sites.append(site)
        objects = [a for a in (arguments.named_children if arguments is not None else [])][:2]
        if not objects:
            site.hide("the client is built without a configuration the reader can see")
        for configuration in objects:
            for key, value, at in self.pairs(site, configuration, node, 0):
                site.set(key, self.value(value, node, 0), at)

    # --- objects and values

    def pairs(self, site: Site, node: Node | None, at: Node, depth: int) -> list[tuple[str, Node, int]]:
        """(key, value, line) of an object expression, spreads and variables followed."""
        node = _unwrap(node)
        if node is None or depth > MAX_DEPTH:
            site.hide("the configuration is built too indirectly to follow")
            return []
        if node.type == "identifier":
            declared = self.declaration(text(node), at)
            if declared is None:
                site.hide(f"the configuration {text(node)} is not built in this file")
                return []
            return self.pairs(site, declared, at, depth + 1)
        if node.type != "object":
            site.hide(f"the configuration {short(node)} (line {line(node)}) is not built in this file")
            return []
        found: list[tuple[str, Node, int]] = []
        for child in node.named_children:
            if child.type == "spread_element" and child.named_children:
                found += self.pairs(site, child.named_children[0], at, depth + 1)
            elif child.type == "pair":
                key_node, value = child.child_by_field_name("key"), child.child_by_field_name("value")
                key = (
                    self.value(key_node, at, depth + 1)
                    if key_node is not None and key_node.type != "property_identifier"
                    else Value(text(key_node))
                )
                if key.text is None:
                    site.hide(f"a key of the configuration is not known ({key.reason})")
                elif value is not None:
                    found.append((key.text, value, line(child)))
            elif child.type == "shorthand_property_identifier":
                found.append((text(child), child, line(child)))
        return found

    def value(self, node: Node | None, at: Node, depth: int) -> Value:
        node = _unwrap(node)
        if node is None or depth > MAX_DEPTH:
            return Value.unknown("built too indirectly to follow")
        kind = node.type
        if kind == "string":
            return Value("".join(text(c) for c in node.named_children))
        if kind == "template_string" and not any(c.type == "template_substitution" for c in node.named_children):
            return Value(text(node)[1:-1])
        if kind == "number":
            return Value(text(node).replace("_", ""))
        if kind in ("true", "false"):
            return Value(kind)
        if kind == "unary_expression" and text(node).replace(" ", "") in ("-1", "!0", "!1"):
            return Value({"-1": "-1", "!0": "true", "!1": "false"}[text(node).replace(" ", "")])
        if "process.env" in text(node):
            return Value.unknown(f"read from the environment: {short(node)}")
        if kind in ("identifier", "shorthand_property_identifier"):
            declared = self.declaration(text(node), at)
            if declared is None:
                return Value.unknown(f"{text(node)} is not assigned in this file")
            return self.value(declared, declared, depth + 1)
        return Value.unknown(f"{short(node)} is not known in this file")

    def declaration(self, name: str, at: Node) -> Node | None:
        """The value of the const/let/var of that name visible at `at` (innermost scope first)."""
        scope = enclosing(at, SCOPES) or self.root
        while True:
            found: Node | None = None
            for node in walk(scope):
                if (
                    node.type == "variable_declarator"
                    and text(node.child_by_field_name("name")) == name
                    and (enclosing(node, SCOPES) or self.root) == scope  # not a nested function's
                    and (line(node) <= line(at) or scope == self.root)
                ):
                    found = node.child_by_field_name("value")
            if found is not None or scope == self.root:
                return found
            scope = enclosing(scope, SCOPES) or self.root

    def holder(self, call: Node) -> str | None:
        """The variable or property the client is stored in: `producer`, `this.producer`."""
        parent = call.parent
        while parent is not None and parent.type in ("await_expression", *WRAPPERS):
            parent = parent.parent
        if parent is None:
            return None
        if parent.type == "variable_declarator":
            return text(parent.child_by_field_name("name"))
        if parent.type == "assignment_expression":
            return text(parent.child_by_field_name("left"))
        if parent.type in ("public_field_definition", "field_definition"):
            return "this." + text(parent.child_by_field_name("name") or parent.child_by_field_name("property"))
        return None

    def names_of(self, node: Node) -> list[str]:
        names = []
        holder = self.holder(node)
        if holder:
            names.append(holder.rsplit(".", 1)[-1])
        for ancestor in (node, *ancestors(node)):
            if ancestor.type in ("function_declaration", "method_definition", "class_declaration"):
                names.append(text(ancestor.child_by_field_name("name")))
        return names


def _resolver(node: Node) -> str:
    """The local name of eachBatch's `resolveOffset` ({ resolveOffset } or { resolveOffset: resolve })."""
    if node.type == "shorthand_property_identifier_pattern" and text(node) == "resolveOffset":
        return "resolveOffset"
    if node.type == "pair_pattern" and text(node.child_by_field_name("key")) == "resolveOffset":
        return text(node.child_by_field_name("value"))
    return ""


def _incidental(statement: Node) -> bool:
    """A log line, `await heartbeat()` or a bare return: not processing."""
    if statement.type == "return_statement":
        return not statement.named_children
    expression = (
        statement.named_children[0] if statement.type == "expression_statement" and statement.named_children else None
    )
    if expression is not None and expression.type == "await_expression" and expression.named_children:
        expression = expression.named_children[0]
    callee = (
        expression.child_by_field_name("function")
        if expression is not None and expression.type == "call_expression"
        else None
    )
    written = text(callee)
    return written == "heartbeat" or written.split(".", 1)[0] in ("console", "logger", "log")


JS_SYNTAX = listeners.Syntax(
    handlers=frozenset({"catch_clause", "finally_clause"}),
    callbacks=CALLBACKS,
    comments=frozenset({"comment"}),
    incidental=_incidental,
    blocks=frozenset({"statement_block"}),
    call="resolveOffset()",
)


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in WRAPPERS and node.named_children:
        node = node.named_children[0]
    return node


def read_script(grammar: str, source: str, path: str) -> tuple[list[Site], list[CoverageGap]]:
    reader = JavaScriptReader(parse(grammar, source), path)
    reader.read()
    return reader.sites, reader.gaps
