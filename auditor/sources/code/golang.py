"""Go clients, read with tree-sitter: sarama, franz-go, segmentio/kafka-go, confluent-kafka-go.

- sarama: `cfg := sarama.NewConfig()`, field assignments (`cfg.Producer.RequiredAcks = sarama.WaitForAll`),
  then `sarama.NewSyncProducer`/`NewAsyncProducer`/`NewConsumerGroup`/`NewConsumer(..., cfg)`
  (also through `sarama.NewClient(..., cfg)` and the `...FromClient` constructors).
- franz-go: `kgo.NewClient(opts...)` with `kgo.` options, inline or in an `[]kgo.Opt` slice grown with `append`.
- segmentio/kafka-go: `kafka.Writer{...}` literals (and field assignments), `kafka.NewWriter(kafka.WriterConfig{...})`,
  `kafka.NewReader(kafka.ReaderConfig{...})`; `ReadMessage` (commits as it returns, with a GroupID) or
  `FetchMessage` in the file; a Reader without a GroupID commits nothing and starts where `SetOffset` says.
- confluent-kafka-go: `kafka.NewProducer`/`NewConsumer(&kafka.ConfigMap{...})` and `cfg.SetKey(k, v)`: librdkafka keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from auditor.model import CoverageGap, Role
from auditor.sources.code import listeners
from auditor.sources.code.base import Site, Value, not_understood
from auditor.sources.code.tree import enclosing, line, parse, short, text, walk

MAX_DEPTH = 10
LIBRARIES = (  # import path -> library
    (re.compile(r"^(github\.com/(IBM|Shopify)/sarama|gopkg\.in/Shopify/sarama(\.v\d+)?)$"), "sarama"),
    (re.compile(r"^github\.com/twmb/franz-go/pkg/kgo$"), "franz-go"),
    (re.compile(r"^github\.com/segmentio/kafka-go$"), "kafka-go"),
    (re.compile(r"^github\.com/confluentinc/confluent-kafka-go(/v\d+)?/kafka$"), "librdkafka"),
)
SCOPES = frozenset({"function_declaration", "method_declaration", "func_literal"})

SARAMA_CONSTRUCTORS = {
    "NewSyncProducer": Role.PRODUCER,
    "NewAsyncProducer": Role.PRODUCER,
    "NewConsumerGroup": Role.CONSUMER,
    "NewConsumer": Role.CONSUMER,
    "NewSyncProducerFromClient": Role.PRODUCER,
    "NewAsyncProducerFromClient": Role.PRODUCER,
    "NewConsumerGroupFromClient": Role.CONSUMER,
    "NewConsumerFromClient": Role.CONSUMER,
}
CONSTRUCTORS = {  # library -> the functions that build a client
    "sarama": frozenset(SARAMA_CONSTRUCTORS),
    "franz-go": frozenset({"NewClient"}),
    "kafka-go": frozenset({"NewWriter", "NewReader"}),
    "librdkafka": frozenset({"NewProducer", "NewConsumer"}),
}
SARAMA_FIELDS = {
    "Producer.RequiredAcks": "acks",
    "Producer.Retry.Max": "retries",
    "Producer.Idempotent": "enable.idempotence",
    "Net.MaxOpenRequests": "max.in.flight.requests.per.connection",
    "Producer.Transaction.ID": "transactional.id",
    "Consumer.Offsets.AutoCommit.Enable": "enable.auto.commit",
    "Consumer.Offsets.Initial": "auto.offset.reset",
    "Consumer.IsolationLevel": "isolation.level",
}
ENUMS = {  # a library constant -> the Java client's value
    "WaitForAll": "all",
    "WaitForLocal": "1",
    "NoResponse": "0",
    "OffsetOldest": "earliest",
    "OffsetNewest": "latest",
    "ReadCommitted": "read_committed",
    "ReadUncommitted": "read_uncommitted",
    "RequireAll": "all",
    "RequireOne": "1",
    "RequireNone": "0",
    "FirstOffset": "earliest",
    "LastOffset": "latest",
    "AllISRAcks": "all",
    "LeaderAck": "1",
    "NoAck": "0",
}
WRITER_FIELDS = {"RequiredAcks": "acks", "MaxAttempts": "retries"}
READER_FIELDS = {"StartOffset": "auto.offset.reset", "IsolationLevel": "isolation.level", "GroupID": "group.id"}
# franz-go option -> (key, value when the option takes no argument, producer or consumer option)
KGO_OPTIONS: dict[str, tuple[str, str | None, Role]] = {
    "RequiredAcks": ("acks", None, Role.PRODUCER),
    "DisableIdempotentWrite": ("enable.idempotence", "false", Role.PRODUCER),
    "RecordRetries": ("retries", None, Role.PRODUCER),
    "MaxProduceRequestsInflightPerBroker": ("max.in.flight.requests.per.connection", None, Role.PRODUCER),
    "TransactionalID": ("transactional.id", None, Role.PRODUCER),
    "DisableAutoCommit": ("enable.auto.commit", "false", Role.CONSUMER),
    "ConsumeResetOffset": ("auto.offset.reset", None, Role.CONSUMER),
    "GreedyAutoCommit": ("enable.auto.offset.store", "true", Role.CONSUMER),
    "AutoCommitMarks": ("enable.auto.offset.store", "false", Role.CONSUMER),
    "FetchIsolationLevel": ("isolation.level", None, Role.CONSUMER),
    "ConsumerGroup": ("group.id", None, Role.CONSUMER),
    "ConsumeTopics": ("", None, Role.CONSUMER),
    "ProducerLinger": ("linger.ms", None, Role.PRODUCER),
    "ProduceRequestTimeout": ("request.timeout.ms", None, Role.PRODUCER),
    "RecordDeliveryTimeout": ("delivery.timeout.ms", None, Role.PRODUCER),
    "DefaultProduceTopic": ("", None, Role.PRODUCER),
}
KGO_DURATIONS = frozenset({"ProducerLinger", "ProduceRequestTimeout", "RecordDeliveryTimeout"})  # time.Duration
# franz-go's pkg/kgo/config.go: "If idempotency is enabled (as it is by default), this option is only
# enforced if it is safe to do so": a record expires before its first request or after a response
DELIVERY_TIMEOUT_NOTE = "franz-go expires a record before it is sent or when a response comes back, never in flight"
TIME_UNITS_NS = {  # the time package's Duration constants, in nanoseconds
    "Nanosecond": 1,
    "Microsecond": 1_000,
    "Millisecond": 1_000_000,
    "Second": 1_000_000_000,
    "Minute": 60_000_000_000,
    "Hour": 3_600_000_000_000,
}
NO_GROUP_COMMITS = "no GroupID: kafka-go commits only for a consumer group, this Reader commits nothing"
NO_GROUP_START = "no GroupID: the Reader starts at FirstOffset (StartOffset applies to consumer groups only)"
PRODUCE_CALLS = frozenset({"Produce", "ProduceSync", "TryProduce", "BeginTransaction"})


@dataclass
class Assignment:
    line: int
    value: Node


class GoReader:
    def __init__(self, root: Node, path: str) -> None:
        self.root = root
        self.path = path
        self.packages: dict[str, str] = {}  # local package name -> library
        self.functions: dict[str, Node] = {}
        self.sites: list[Site] = []
        self.gaps: list[CoverageGap] = []
        self.readers: list[tuple[Site, Node]] = []  # kafka-go readers and the calls that build them
        self.group_less: list[Site] = []  # kafka-go readers without a GroupID: no consumer group

    def index(self) -> None:
        for node in walk(self.root):
            if node.type == "import_spec":
                path = text(node.child_by_field_name("path")).strip('"`')
                library = next((lib for pattern, lib in LIBRARIES if pattern.match(path)), None)
                if library is not None:
                    name = node.child_by_field_name("name")
                    default = "kafka" if library in ("kafka-go", "librdkafka") else path.rsplit("/", 1)[-1]
                    local = text(name) if name is not None else default.split(".")[0]
                    self.packages[local] = library
            elif node.type == "function_declaration":
                self.functions[text(node.child_by_field_name("name"))] = node

    def library_of(self, selector: Node | None) -> tuple[str, str] | None:
        """(library, member) of `pkg.Member` when pkg is an imported client library."""
        if selector is None or selector.type not in ("selector_expression", "qualified_type"):
            return None
        operand = selector.child_by_field_name("operand") or selector.child_by_field_name("package")
        member = selector.child_by_field_name("field") or selector.child_by_field_name("name")
        library = self.packages.get(text(operand))
        return (library, text(member)) if library else None

    def read(self) -> None:
        self.index()
        handlers: dict[str, Callable[[Node, str], None]] = {
            "sarama": self.sarama,
            "franz-go": self.franz,
            "kafka-go": self.kafka_go_call,
            "librdkafka": self.confluent,
        }
        for node in walk(self.root):
            if node.type == "call_expression":
                found = self.library_of(node.child_by_field_name("function"))
                if found is not None:
                    handlers[found[0]](node, found[1])
            elif node.type == "composite_literal":
                found = self.library_of(node.child_by_field_name("type"))
                if found == ("kafka-go", "Writer"):
                    self.kafka_go_writer(node)
            elif node.type == "selector_expression" and self.uncalled_constructor(node):
                why = f"{text(node)} is used without being called (a function value the reader does not follow)"
                self.gaps.append(not_understood(self.path, line(node), why))
        self.kafka_go_commits()
        self.sarama_marks()

    def uncalled_constructor(self, selector: Node) -> bool:
        """`sarama.NewSyncProducer`, `kgo.NewClient`... named but not called: a client built where the
        reader cannot follow (assigned to a variable, passed as a function)."""
        found = self.library_of(selector)
        parent = selector.parent
        called = (
            parent is not None
            and parent.type == "call_expression"
            and parent.child_by_field_name("function") == selector
        )
        return found is not None and found[1] in CONSTRUCTORS.get(found[0], ()) and not called

    # --- sarama

    def sarama(self, call: Node, member: str) -> None:
        role = SARAMA_CONSTRUCTORS.get(member)
        if role is None:
            return
        site = self.new_site(call, role, "sarama")
        arguments = _arguments(call)
        if not arguments:
            site.hide("the constructor has no configuration argument")
            return
        config = arguments[-1]
        if member.endswith("FromClient"):  # the configuration is the client's: sarama.NewClient(addrs, cfg)
            client = self.origin(config, call, 0)
            found = self.library_of(client.child_by_field_name("function")) if client is not None else None
            if client is None or found != ("sarama", "NewClient") or not _arguments(client):
                site.hide(f"the client {short(config)} is not built in this file")
                return
            config = _arguments(client)[-1]
        self.sarama_config(site, config, call, 0)

    def sarama_config(self, site: Site, config: Node, at: Node, depth: int) -> None:
        if config.type == "nil" or self.library_of(config.child_by_field_name("function")) == ("sarama", "NewConfig"):
            return  # nil and sarama.NewConfig() are sarama's defaults
        if config.type != "identifier":
            site.hide(f"the configuration {short(config)} is not built in this file")
            return
        origin = self.origin(config, at, depth)
        if origin is None:
            site.hide(f"the configuration {text(config)} is not built in this file")
            return
        found = self.library_of(origin.child_by_field_name("function")) if origin.type == "call_expression" else None
        if found == ("sarama", "NewConfig"):
            pass
        elif origin.type == "call_expression" and text(origin.child_by_field_name("function")) in self.functions:
            function = self.functions[text(origin.child_by_field_name("function"))]
            returned = _returned_identifier(function)
            if returned is None:
                site.hide(f"{short(origin)} does not return a configuration the reader follows")
                return
            self.sarama_config(site, returned, returned, depth + 1)
        else:
            site.hide(f"the configuration {text(config)} comes from {short(origin)}")
            return
        self.field_assignments(site, text(config), enclosing(at, SCOPES) or self.root, line(at), SARAMA_FIELDS)

    def field_assignments(self, site: Site, variable: str, scope: Node, until: int, fields: dict[str, str]) -> None:
        """`variable.A.B = value` in the function that uses it, up to its use."""
        for node in walk(scope):
            if node.type != "assignment_statement" or line(node) > until:
                continue
            left, right = _sides(node)
            for target, value in zip(left, right, strict=False):
                chain = text(target).replace(" ", "")
                if not chain.startswith(variable + "."):
                    continue
                key = fields.get(chain[len(variable) + 1 :])
                if key:
                    detail = text(value) if value.type == "selector_expression" else None
                    site.set(key, self.value(value, node, 0), line(node), detail)

    def sarama_marks(self) -> None:
        """A ConsumeClaim that marks a message (session.MarkMessage / MarkOffset) before processing it
        has its offset committed whether or not processing succeeds: sarama's auto-commit commits
        what is marked. The file's handlers apply to its consumer groups (the worst one decides)."""
        groups = [s for s in self.sites if s.library == "sarama" and s.role is Role.CONSUMER]
        placements: list[tuple[Value, int, int]] = []
        for method in walk(self.root) if groups else iter(()):
            if method.type != "method_declaration" or text(method.child_by_field_name("name")) != "ConsumeClaim":
                continue
            session = _parameter_of_type(method, "ConsumerGroupSession")
            body = method.child_by_field_name("body")
            calls = [
                n.parent
                for n in (walk(body) if body is not None and session else iter(()))
                if n.type == "selector_expression"
                and n.parent is not None
                and text(n.child_by_field_name("operand")) == session
                and text(n.child_by_field_name("field")) in ("MarkMessage", "MarkOffset")
            ]
            if calls:  # nothing marked is nothing committed: redelivered, never lost
                placements.append((*listeners.acknowledged(calls, body, session, line(method), GO_SYNTAX), 0))
        for value, at, _ in listeners.worst_first(placements)[:1]:
            marked = {listeners.BEFORE: "true", listeners.AFTER: "false"}.get(value.text or "")
            detail = {
                "true": "MarkMessage before processing: committed whether or not the message is processed",
                "false": "MarkMessage after processing",
            }.get(marked or "")
            for site in groups:
                site.set("enable.auto.offset.store", Value(marked) if marked else value, at, detail)

    # --- franz-go

    def franz(self, call: Node, member: str) -> None:
        if member != "NewClient":
            return
        options: list[Node] = []
        opaque: list[str] = []
        for argument in _arguments(call):
            if argument.type == "variadic_argument" and argument.named_children:
                options += self.slice_elements(argument.named_children[0], call, opaque)
            else:
                options.append(argument)
        roles: set[Role] = set()
        settings: list[tuple[str, Value, int, str]] = []
        for option in options:
            found = (
                self.library_of(option.child_by_field_name("function")) if option.type == "call_expression" else None
            )
            if found is None or found[1] not in KGO_OPTIONS:
                if found is None:
                    opaque.append(f"the option {short(option)} is not followed")
                continue
            key, fixed, role = KGO_OPTIONS[found[1]]
            roles.add(role)
            if key:
                args = _arguments(option)
                first = args[0] if args else None
                if found[1] in KGO_DURATIONS:
                    value = self.milliseconds(first, option, 0)
                else:
                    value = Value(fixed) if fixed is not None else self.kgo_value(first, option)
                detail = short(option) + (f": {DELIVERY_TIMEOUT_NOTE}" if found[1] == "RecordDeliveryTimeout" else "")
                settings.append((key, value, line(option), detail))
        if not roles - {Role.CONSUMER} and self.produces():
            roles.add(Role.PRODUCER)
        for role in sorted(roles or {Role.PRODUCER}):
            site = self.new_site(call, role, "franz-go")
            for key, value, at, detail in settings:
                site.set(key, value, at, detail)
            for reason in opaque:
                site.hide(reason)

    def kgo_value(self, node: Node | None, at: Node) -> Value:
        if node is None:
            return Value.unknown("the option has no argument")
        if node.type == "call_expression":  # kgo.LeaderAck(), kgo.NewOffset().AtEnd(), kgo.ReadCommitted()
            name = text(node.child_by_field_name("function")).rsplit(".", 1)[-1]
            if name in ("AtEnd", "AtStart"):
                return Value("latest" if name == "AtEnd" else "earliest")
            if name in ENUMS:
                return Value(ENUMS[name])
        return self.value(node, at, 0)

    def milliseconds(self, node: Node | None, at: Node, depth: int) -> Value:
        """A time.Duration argument (`30 * time.Second`, `time.Duration(n) * time.Millisecond`, a
        constant of the file) in whole milliseconds; anything else is unknown."""
        if node is None:
            return Value.unknown("the option has no argument")
        nanoseconds = self.nanoseconds(node, at, depth)
        if isinstance(nanoseconds, str):
            return Value.unknown(nanoseconds)
        return Value(str(nanoseconds // 1_000_000))

    def nanoseconds(self, node: Node | None, at: Node, depth: int) -> int | str:
        """The duration in nanoseconds, or why it is not known."""
        if node is None or depth > MAX_DEPTH:
            return "built too indirectly to follow"
        kind = node.type
        if kind == "int_literal":
            return _go_int(text(node))
        if kind == "parenthesized_expression" and node.named_children:
            return self.nanoseconds(node.named_children[0], at, depth + 1)
        if kind == "selector_expression" and text(node.child_by_field_name("operand")) == "time":
            unit = TIME_UNITS_NS.get(text(node.child_by_field_name("field")))
            if unit is not None:
                return unit
        if kind == "call_expression" and text(node.child_by_field_name("function")) == "time.Duration":
            arguments = _arguments(node)
            return self.nanoseconds(arguments[0], at, depth + 1) if len(arguments) == 1 else f"{short(node)}"
        if kind == "binary_expression":
            return self.product(node, at, depth)
        if kind == "identifier":
            origin = self.origin(node, at, depth)
            return (
                f"{text(node)} is not assigned in this file"
                if origin is None
                else self.nanoseconds(origin, origin, depth + 1)
            )
        return f"{short(node)} is not a duration known in this file"

    def product(self, node: Node, at: Node, depth: int) -> int | str:
        left = self.nanoseconds(node.child_by_field_name("left"), at, depth + 1)
        right = self.nanoseconds(node.child_by_field_name("right"), at, depth + 1)
        if isinstance(left, str) or isinstance(right, str):
            return left if isinstance(left, str) else str(right)
        operator = text(node.child_by_field_name("operator"))
        if operator == "/" and right != 0:
            return left // right
        results = {"*": left * right, "+": left + right, "-": left - right}
        return results.get(operator, f"{short(node)} is not a duration known in this file")

    def produces(self) -> bool:
        return any(
            n.type == "selector_expression" and text(n.child_by_field_name("field")) in PRODUCE_CALLS
            for n in walk(self.root)
        )

    def slice_elements(self, variable: Node, at: Node, opaque: list[str]) -> list[Node]:
        """The elements of an options slice: its literal, then every append up to `at`."""
        elements: list[Node] = []
        assignments = self.assignments(text(variable), at)
        if not assignments:
            opaque.append(f"the options {text(variable)} are not built in this file")
        for index, assignment in enumerate(assignments):
            value = assignment.value
            if value.type == "composite_literal":
                elements += _literal_elements(value)
            elif value.type == "call_expression" and text(value.child_by_field_name("function")) == "append":
                base = _arguments(value)[0] if _arguments(value) else None
                if base is not None and base.type == "composite_literal":
                    elements += _literal_elements(base)
                elif base is None or text(base) != text(variable) or index == 0:
                    # append(opts, ...) onto a slice this file does not build (a parameter): not all options are seen
                    opaque.append(f"the options {short(base) if base else text(variable)} are not built in this file")
                elements += [a for a in _arguments(value)[1:] if a.type != "variadic_argument"]
            else:
                opaque.append(f"the options {text(variable)} come from {short(value)}")
        return elements

    # --- segmentio/kafka-go

    def kafka_go_call(self, call: Node, member: str) -> None:
        arguments = _arguments(call)
        if member not in ("NewWriter", "NewReader"):
            return
        role = Role.PRODUCER if member == "NewWriter" else Role.CONSUMER
        site = self.new_site(call, role, "kafka-go")
        if role is Role.CONSUMER:
            self.readers.append((site, call))
        literal = arguments[0] if arguments else None
        if literal is not None and literal.type == "identifier":
            origin = self.origin(literal, call, 0)
            literal = origin if origin is not None else literal
        if literal is None or literal.type != "composite_literal":
            site.hide(f"the configuration {short(literal) if literal else ''} is not built in this file")
            return
        fields = self.keyed(literal)
        if role is Role.PRODUCER:
            if "RequiredAcks" not in fields:  # writer.go: NewWriter turns an unset RequiredAcks into RequireAll
                site.set("acks", Value("all"), line(literal), "kafka.NewWriter: WriterConfig.RequiredAcks unset")
            self.writer_fields(site, fields)
        else:
            group = fields.get("GroupID")
            if group is None or self.value(group[0], group[0], 0).text == "":
                self.group_less.append(site)  # reader.go useConsumerGroup: GroupID != ""
            for name, (value, at) in fields.items():
                if name in READER_FIELDS and not (name == "StartOffset" and site in self.group_less):
                    site.set(READER_FIELDS[name], self.value(value, value, 0), at, short(value))

    def kafka_go_writer(self, literal: Node) -> None:
        site = self.new_site(literal, Role.PRODUCER, "kafka-go")
        self.writer_fields(site, self.keyed(literal))
        statement = enclosing(literal, frozenset({"short_var_declaration", "assignment_statement", "var_spec"}))
        if statement is not None:  # w := &kafka.Writer{...}; w.RequiredAcks = kafka.RequireAll
            left, _ = _sides(statement)
            if left and left[0].type == "identifier":
                scope = enclosing(literal, SCOPES) or self.root
                self.field_assignments(site, text(left[0]), scope, 10**9, {"RequiredAcks": "acks"})

    def writer_fields(self, site: Site, fields: dict[str, tuple[Node, int]]) -> None:
        for name, (value, at) in fields.items():
            key = WRITER_FIELDS.get(name)
            if not key:
                continue
            read = self.value(value, value, 0)
            if key == "retries" and read.text is not None and read.text.isdigit():  # attempts, not retries
                read = Value(str(max(int(read.text) - 1, 0)))
            site.set(key, read, at, short(value))

    def kafka_go_commits(self) -> None:
        """ReadMessage commits as it returns (before processing); FetchMessage + CommitMessages does not.
        Only the calls on the variable a reader is assigned to count; a reader handed out (returned,
        passed on) is read by code elsewhere: how it commits is not known."""
        for site, call in self.readers:
            variable = _assigned_to(call)
            scope = enclosing(call, SCOPES) or self.root
            if site in self.group_less:
                self.partition_reader(site, variable, scope)
                continue
            reads = [
                n
                for n in walk(scope)
                if n.type == "selector_expression"
                and text(n.child_by_field_name("operand")) == variable
                and text(n.child_by_field_name("field")) in ("ReadMessage", "FetchMessage")
            ]
            for read in reads:
                commits = text(read.child_by_field_name("field")) == "ReadMessage"
                detail = "ReadMessage commits as it returns" if commits else "FetchMessage: the application commits"
                site.set("enable.auto.commit", Value("true" if commits else "false"), line(read), detail)
            if not reads:
                why = f"the reader {variable} is not read in this function" if variable else "the reader is handed out"
                site.set(
                    "enable.auto.commit",
                    Value.unknown(f"{why}: ReadMessage or FetchMessage is called elsewhere"),
                    site.line,
                )

    def partition_reader(self, site: Site, variable: str | None, scope: Node) -> None:
        """A Reader without a GroupID reads partitions outside any consumer group: ReadMessage commits
        only for a group (reader.go), so nothing is ever committed, and it starts at FirstOffset
        (StartOffset is for groups) unless the code calls SetOffset."""
        site.set("enable.auto.commit", Value("false"), site.line, NO_GROUP_COMMITS)
        moves = [
            n.parent
            for n in (walk(scope) if variable else iter(()))
            if n.type == "selector_expression"
            and text(n.child_by_field_name("operand")) == variable
            and text(n.child_by_field_name("field")) == "SetOffset"
            and n.parent is not None
            and n.parent.type == "call_expression"
        ]
        if variable is None:
            why = "the reader is handed out: where it starts (SetOffset) is decided elsewhere"
            site.set("auto.offset.reset", Value.unknown(why), site.line)
        elif not moves:
            site.set("auto.offset.reset", Value("earliest"), site.line, NO_GROUP_START)
        for move in moves:
            arguments = _arguments(move)
            start = self.value(arguments[0], move, 0) if arguments else Value.unknown("SetOffset without an offset")
            if start.text not in ("earliest", "latest"):
                start = Value.unknown(f"{short(move)}: the application picks the offset it starts from")
            site.set("auto.offset.reset", start, line(move), short(move))

    # --- confluent-kafka-go

    def confluent(self, call: Node, member: str) -> None:
        if member not in ("NewProducer", "NewConsumer"):
            return
        site = self.new_site(call, Role.PRODUCER if member == "NewProducer" else Role.CONSUMER, "librdkafka")
        arguments = _arguments(call)
        config = arguments[0] if arguments else None
        if config is not None and config.type == "unary_expression" and config.named_children:
            config = config.named_children[-1]
        variable = None
        if config is not None and config.type == "identifier":
            variable = text(config)
            origin = self.origin(config, call, 0)
            if origin is not None and origin.type == "unary_expression" and origin.named_children:
                origin = origin.named_children[-1]
            config = origin
        if config is None or config.type != "composite_literal":
            site.hide("the ConfigMap is not built in this file")
            return
        for key, (value, at) in self.keyed(config, strings=True).items():
            site.set(key, self.value(value, value, 0), at)
        if variable is not None:
            for node in walk(enclosing(call, SCOPES) or self.root):
                if (
                    node.type == "call_expression"
                    and text(node.child_by_field_name("function")) == f"{variable}.SetKey"
                ):
                    args = _arguments(node)
                    if len(args) == 2 and line(node) <= line(call):
                        name = self.value(args[0], node, 0)
                        if name.text is None:
                            site.hide(f"a key of the ConfigMap is not known ({name.reason})")
                        else:
                            site.set(name.text, self.value(args[1], node, 0), line(node))

    # --- shared

    def new_site(self, node: Node, role: Role, library: str) -> Site:
        site = Site(role, library, line(node), names=self.names_of(node))
        self.sites.append(site)
        return site

    def keyed(self, literal: Node, strings: bool = False) -> dict[str, tuple[Node, int]]:
        """A composite literal's fields: name (or string key) -> (value, line)."""
        fields: dict[str, tuple[Node, int]] = {}
        body = literal.child_by_field_name("body")
        for element in body.named_children if body is not None else []:
            if element.type != "keyed_element" or len(element.named_children) != 2:
                continue
            key, value = (_element(c) for c in element.named_children)
            name = self.value(key, key, 0).text if strings else text(key)
            if name is not None:
                fields[name] = (value, line(element))
        return fields

    def assignments(self, name: str, at: Node) -> list[Assignment]:
        found: list[Assignment] = []
        scope = enclosing(at, SCOPES)
        for container in (scope, self.root) if scope is not None else (self.root,):
            for node in walk(container):
                if container is self.root and scope is not None and enclosing(node, SCOPES) is not None:
                    continue
                if node.type in ("short_var_declaration", "assignment_statement", "var_spec", "const_spec"):
                    left, right = _sides(node)
                    for index, target in enumerate(left):
                        if text(target) == name and line(node) <= line(at) and right:
                            found.append(Assignment(line(node), right[min(index, len(right) - 1)]))
            if found:
                return found
        return found

    def origin(self, identifier: Node, at: Node, depth: int) -> Node | None:
        assignments = self.assignments(text(identifier), at)
        return assignments[-1].value if assignments and depth <= MAX_DEPTH else None

    def value(self, node: Node, at: Node, depth: int) -> Value:
        if depth > MAX_DEPTH:
            return Value.unknown("built too indirectly to follow")
        kind = node.type
        if kind in ("interpreted_string_literal", "raw_string_literal"):
            return Value(text(node)[1:-1])
        if kind in ("int_literal", "float_literal"):
            return Value(text(node).replace("_", ""))
        if kind in ("true", "false"):
            return Value(kind)
        if kind == "unary_expression" and text(node).replace(" ", "").lstrip("-").isdigit():
            return Value(text(node).replace(" ", ""))
        if kind == "selector_expression":
            member = text(node.child_by_field_name("field"))
            if self.library_of(node) is not None and member in ENUMS:
                return Value(ENUMS[member])
        if kind == "call_expression" and text(node.child_by_field_name("function")) in ("os.Getenv", "os.LookupEnv"):
            return Value.unknown(f"read from the environment: {short(node)}")
        if kind == "identifier":
            origin = self.origin(node, at, depth)
            if origin is None:
                return Value.unknown(f"{text(node)} is not assigned in this file")
            return self.value(origin, origin, depth + 1)
        return Value.unknown(f"{short(node)} is not known in this file")

    def names_of(self, node: Node) -> list[str]:
        names: list[str] = []
        statement = enclosing(node, frozenset({"short_var_declaration", "assignment_statement", "var_spec"}))
        if statement is not None:
            left, _ = _sides(statement)
            names += [text(target).rsplit(".", 1)[-1] for target in left[:1]]
        function = enclosing(node, frozenset({"function_declaration", "method_declaration"}))
        if function is not None:
            names.append(text(function.child_by_field_name("name")))
        return names


def _arguments(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    return list(arguments.named_children) if arguments is not None else []


def _parameter_of_type(function: Node, type_name: str) -> str:
    """The name of the function's parameter of the (qualified) type, or ''."""
    parameters = function.child_by_field_name("parameters")
    for declaration in parameters.named_children if parameters is not None else []:
        written = text(declaration.child_by_field_name("type"))
        name = declaration.child_by_field_name("name")
        if written.rsplit(".", 1)[-1] == type_name and name is not None:
            return text(name)
    return ""


def _incidental(statement: Node) -> bool:
    """A log line or a bare `return nil`: not processing."""
    if statement.type == "return_statement":
        return text(statement).replace(" ", "") in ("return", "returnnil")
    call = (
        statement.named_children[0] if statement.type == "expression_statement" and statement.named_children else None
    )
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    return callee is not None and text(callee).split(".", 1)[0] in ("log", "logger", "fmt", "slog")


GO_SYNTAX = listeners.Syntax(
    handlers=frozenset({"defer_statement"}),  # a deferred mark runs even when processing panics
    callbacks=frozenset({"func_literal", "go_statement"}),
    comments=frozenset({"comment"}),
    incidental=_incidental,
    blocks=frozenset({"statement_list"}),
    call="MarkMessage",
)


def _go_int(written: str) -> int | str:
    """A Go integer literal (0x1F, 0o17, 017, 1_000); why not when it is malformed."""
    digits = written.replace("_", "")
    try:
        return int(digits, 8) if re.fullmatch(r"0\d+", digits) else int(digits, 0)
    except ValueError:
        return f"{written} is not a Go integer"


def _assigned_to(call: Node) -> str | None:
    """`r` of `r := kafka.NewReader(...)` (or `r = ...`, `var r = ...`); None when it is not assigned."""
    parent = call.parent.parent if call.parent is not None and call.parent.type == "expression_list" else call.parent
    if parent is None or parent.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return None
    left, _ = _sides(parent)
    return text(left[0]) if left and left[0].type == "identifier" else None


def _literal_elements(literal: Node) -> list[Node]:
    body = literal.child_by_field_name("body")
    return [_element(e) for e in (body.named_children if body else [])]


def _element(node: Node) -> Node:
    """tree-sitter-go wraps composite literal values in literal_element."""
    return node.named_children[0] if node.type == "literal_element" and node.named_children else node


def _sides(statement: Node) -> tuple[list[Node], list[Node]]:
    if statement.type in ("var_spec", "const_spec"):
        names = statement.children_by_field_name("name")
        value = statement.child_by_field_name("value")
        return list(names), list(value.named_children) if value is not None else []
    left = statement.child_by_field_name("left")
    right = statement.child_by_field_name("right")
    return (
        list(left.named_children) if left is not None else [],
        list(right.named_children) if right is not None else [],
    )


def _returned_identifier(function: Node) -> Node | None:
    for node in walk(function):
        if node.type == "return_statement" and node.named_children:
            values = node.named_children[0]
            first = values.named_children[0] if values.type == "expression_list" and values.named_children else values
            if first.type == "identifier":
                return first
    return None


def read_go(source: str, path: str) -> tuple[list[Site], list[CoverageGap]]:
    reader = GoReader(parse("go", source), path)
    reader.read()
    return reader.sites, reader.gaps
