"""Python clients, read with the standard library's `ast`: kafka-python, aiokafka, confluent-kafka.

- kafka-python / aiokafka: `KafkaProducer(acks=1, ...)`, `AIOKafkaConsumer(..., enable_auto_commit=False)`,
  keyword arguments and `**config` of a dict built in the same file.
- confluent-kafka: `Producer({...})`, `Consumer(conf)`, `SerializingProducer`, `DeserializingConsumer`
  (and the legacy `confluent_kafka.avro` ones): librdkafka keys of a dict built in the same file.

A value is resolved through literals, names assigned in the same function or at module level,
and dicts built with `{}`, `dict(...)`, `d[k] = v`, `d.update(...)` and `{**other}`. Anything
else (the environment, a settings object, a function's result) is unknown at its line, with the
reason; an unresolved `**config` or config dict makes every key the code leaves out unknown too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from auditor.model import CoverageGap, Role
from auditor.sources.code.base import Setting, Site, Value, not_understood

MAX_DEPTH = 12

# (module, class) -> (library, role)
CLIENTS: dict[tuple[str, str], tuple[str, Role]] = {
    ("kafka", "KafkaProducer"): ("kafka-python", Role.PRODUCER),
    ("kafka", "KafkaConsumer"): ("kafka-python", Role.CONSUMER),
    ("aiokafka", "AIOKafkaProducer"): ("aiokafka", Role.PRODUCER),
    ("aiokafka", "AIOKafkaConsumer"): ("aiokafka", Role.CONSUMER),
    ("confluent_kafka", "Producer"): ("librdkafka", Role.PRODUCER),
    ("confluent_kafka", "Consumer"): ("librdkafka", Role.CONSUMER),
    ("confluent_kafka", "SerializingProducer"): ("librdkafka", Role.PRODUCER),
    ("confluent_kafka", "DeserializingConsumer"): ("librdkafka", Role.CONSUMER),
    ("confluent_kafka", "AvroProducer"): ("librdkafka", Role.PRODUCER),
    ("confluent_kafka", "AvroConsumer"): ("librdkafka", Role.CONSUMER),
}
PACKAGES = frozenset(module for module, _ in CLIENTS)
KWARG_LIBRARIES = frozenset({"kafka-python", "aiokafka"})
TYPE_CHECKS = frozenset({"isinstance", "issubclass", "cast"})


@dataclass
class Scope:
    """Names assigned in one function (or the module): name -> [(line, value node)]."""

    assigned: dict[str, list[tuple[int, ast.expr]]] = field(default_factory=dict)
    mutations: dict[str, list[ast.stmt]] = field(default_factory=dict)


class PythonReader:
    def __init__(self, tree: ast.Module, path: str) -> None:
        self.tree = tree
        self.path = path
        self.classes: dict[str, tuple[str, Role]] = {}  # a name bound by an import -> (library, role)
        self.modules: dict[str, str] = {}  # an imported module's local name -> its package
        self.scopes: dict[int, Scope] = {}
        self.parents: dict[int, ast.AST] = {}
        self.sites: list[Site] = []
        self.gaps: list[CoverageGap] = []

    # --- the file's imports and scopes

    def index(self) -> None:
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                package = _package(node.module)
                for alias in node.names:
                    if package and (package, alias.name) in CLIENTS:
                        self.classes[alias.asname or alias.name] = CLIENTS[(package, alias.name)]
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    package = _package(alias.name)
                    if package:
                        self.modules[alias.asname or alias.name.split(".")[0]] = package
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)):
                self._record(node)

    def _record(self, node: ast.stmt) -> None:
        scope = self.scopes.setdefault(id(self.function_of(node)), Scope())
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    scope.assigned.setdefault(target.id, []).append((node.lineno, node.value))
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    scope.mutations.setdefault(target.value.id, []).append(node)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            scope.assigned.setdefault(node.target.id, []).append((node.lineno, node.value))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr == "update":
                scope.mutations.setdefault(func.value.id, []).append(node)

    def function_of(self, node: ast.AST) -> ast.AST:
        current = self.parents.get(id(node))
        while current is not None and not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            current = self.parents.get(id(current))
        return current or self.tree

    def client_of(self, func: ast.expr) -> tuple[str, Role] | None:
        if isinstance(func, ast.Name):
            return self.classes.get(func.id)
        if isinstance(func, ast.Attribute):
            root = func.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in self.modules:
                return CLIENTS.get((self.modules[root.id], func.attr))
        return None

    # --- clients

    def read(self) -> None:
        self.index()
        called: set[int] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                client = self.client_of(node.func)
                if client is not None:
                    called.add(id(node.func))
                    self.sites.append(self.site(node, *client))
        typing = self.type_positions()
        for node in ast.walk(self.tree):
            if (
                isinstance(node, (ast.Name, ast.Attribute))
                and id(node) not in called | typing
                and not isinstance(self.parents.get(id(node)), ast.Attribute)
                and self.client_of(node)
            ):
                name = ast.unparse(node)
                self.gaps.append(not_understood(self.path, node.lineno, f"{name} is used without being called"))

    def type_positions(self) -> set[int]:
        """Nodes that only name a type: annotations and isinstance/issubclass/cast arguments."""
        roots: list[ast.AST] = []
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
                roots.append(node.returns)
            elif isinstance(node, (ast.arg, ast.AnnAssign)) and node.annotation is not None:
                roots.append(node.annotation)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TYPE_CHECKS:
                roots.extend(node.args)
        return {id(n) for root in roots for n in ast.walk(root)}

    def site(self, call: ast.Call, library: str, role: Role) -> Site:
        site = Site(role, library, call.lineno, names=self.names_of(call))
        if library in KWARG_LIBRARIES:
            for keyword in call.keywords:
                self.keyword(site, keyword, call)
            if any(isinstance(arg, ast.Starred) for arg in call.args):
                site.hide(f"positional arguments {ast.unparse(call.args[-1])} are not followed")
            return site
        config = call.args[0] if call.args else None
        if config is not None:
            self.mapping(site, config, call, 0)
        for keyword in call.keywords:  # confluent-kafka also takes the configuration as keywords
            if keyword.arg is not None and keyword.arg not in ("logger", "error_cb", "on_commit"):
                site.settings.append(Setting(keyword.arg, self.value(keyword.value, call, 0), keyword.value.lineno))
            elif keyword.arg is None:
                self.mapping(site, keyword.value, call, 0)
        if config is None and not call.keywords:
            site.hide("the client is built without a configuration the reader can see")
        return site

    def keyword(self, site: Site, keyword: ast.keyword, call: ast.Call) -> None:
        if keyword.arg is None:
            self.mapping(site, keyword.value, call, 0)
        else:
            site.set(keyword.arg, self.value(keyword.value, call, 0), keyword.value.lineno)

    def mapping(self, site: Site, node: ast.expr, at: ast.AST, depth: int) -> None:
        """The keys a dict expression holds, into the site; what cannot be followed hides the rest."""
        if depth > MAX_DEPTH:
            site.hide("the configuration is built too indirectly to follow")
            return
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    self.mapping(site, value, at, depth + 1)
                    continue
                name = self.value(key, at, depth + 1)
                if name.text is None:
                    site.hide(f"a key of the configuration is not known ({name.reason})")
                else:
                    site.set(name.text, self.value(value, at, depth + 1), key.lineno)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            for arg in node.args:
                self.mapping(site, arg, at, depth + 1)
            for keyword in node.keywords:
                if keyword.arg is None:
                    self.mapping(site, keyword.value, at, depth + 1)
                else:
                    site.set(keyword.arg, self.value(keyword.value, at, depth + 1), keyword.value.lineno)
            return
        if isinstance(node, ast.Name):
            assigned = self.assignment(node.id, at)
            if assigned is not None:
                self.mapping(site, assigned[1], at, depth + 1)
                self.mutate(site, node.id, assigned[0], at, depth)
                return
        site.hide(f"the configuration {_short(node)} (line {node.lineno}) is not built in this file")

    def mutate(self, site: Site, name: str, since: int, at: ast.AST, depth: int) -> None:
        """`conf["acks"] = "1"` and `conf.update({...})` between the dict's assignment and its use."""
        scope = self.scopes.get(id(self.function_of(at)), Scope())
        until = getattr(at, "lineno", 0)
        for statement in scope.mutations.get(name, []):
            if not since <= statement.lineno <= until:
                continue
            if isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        key = self.value(target.slice, at, depth + 1)
                        if key.text is None:
                            site.hide(f"a key of the configuration is not known ({key.reason})")
                        else:
                            site.set(key.text, self.value(statement.value, at, depth + 1), statement.lineno)
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                call = statement.value
                self.mapping(site, ast.Call(ast.Name("dict"), call.args, call.keywords), at, depth + 1)

    def assignment(self, name: str, at: ast.AST) -> tuple[int, ast.expr] | None:
        """The last assignment of name before `at` in its function, else at module level."""
        line = getattr(at, "lineno", 0)
        function = self.function_of(at)
        for scope_node in (function, self.tree):
            candidates = self.scopes.get(id(scope_node), Scope()).assigned.get(name, [])
            before = [c for c in candidates if c[0] <= line or scope_node is self.tree]
            if before:
                return before[-1]
        return None

    def value(self, node: ast.expr, at: ast.AST, depth: int) -> Value:
        """A setting's value as text (True -> 'true'), or unknown with the reason."""
        if depth > MAX_DEPTH:
            return Value.unknown("built too indirectly to follow")
        if isinstance(node, ast.Constant):
            return _constant(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            inner = _constant(node.operand.value)
            return Value(f"-{inner.text}") if inner.text is not None else inner
        if isinstance(node, ast.Name):
            assigned = self.assignment(node.id, at)
            if assigned is None:
                return Value.unknown(f"{node.id} is not assigned in this file")
            return self.value(assigned[1], at, depth + 1)
        if _conversion(node):
            return self.value(node.args[0], at, depth + 1)  # type: ignore[attr-defined]
        if _reads_environment(node):
            return Value.unknown(f"read from the environment: {_short(node)}")
        return Value.unknown(f"{_short(node)} is not known in this file")

    def names_of(self, call: ast.Call) -> list[str]:
        """The assigned variable or attribute, then the enclosing functions and classes, innermost first."""
        names: list[str] = []
        parent = self.parents.get(id(call))
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names.append(target.id)
                elif isinstance(target, ast.Attribute):
                    names.append(target.attr)
        current = parent
        while current is not None:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(current.name)
            current = self.parents.get(id(current))
        return names


def _package(module: str) -> str | None:
    for package in PACKAGES:
        if module == package or module.startswith(package + "."):
            return package
    return None


def _constant(value: object) -> Value:
    if isinstance(value, bool):
        return Value("true" if value else "false")
    if isinstance(value, (int, float, str)):
        return Value(str(value))
    return Value.unknown(f"{value!r} is not a setting's value")


def _conversion(node: ast.expr) -> bool:
    """str(x), int(x), bool(x): the value of x."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("str", "int")
        and len(node.args) == 1
        and not node.keywords
    )


def _reads_environment(node: ast.expr) -> bool:
    text = _short(node, 400)
    return "environ" in text or "getenv" in text


def _short(node: ast.AST, width: int = 60) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def read_python(text: str, path: str) -> tuple[list[Site], list[CoverageGap]]:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        return [], [CoverageGap(f"{path}:{exc.lineno or 1}", f"not read: not valid Python 3 ({exc.msg})")]
    except (ValueError, RecursionError, MemoryError) as exc:
        return [], [CoverageGap(path, f"not read: cannot parse as Python ({type(exc).__name__})")]
    reader = PythonReader(tree, path)
    try:
        reader.read()
    except RecursionError:
        return [], [CoverageGap(path, "not read: nested too deeply to follow")]
    return reader.sites, reader.gaps
