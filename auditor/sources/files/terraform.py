"""Terraform `kafka_topic` resources (Mongey/kafka provider), parsed with python-hcl2.

replication_factor, partitions and the config map of each resource; `for_each` over a map,
a set/list literal or a variable expands to one topic per key (`kafka_topic.label["key"]`), and
`count` to one per index (`kafka_topic.label[0]`): `count = var.enabled ? 1 : 0` with a false
default declares no topic. References are resolved from the same module (the .tf files of one
folder): `var.x` from its default (a variable without a default is unknown), `local.x`,
`each.key`, `each.value[.field]`, `count.index`, and a conditional `COND ? A : B` whose condition
is a boolean, `!X` or `X == / != literal`. Any other expression is unknown and says so. A `config`
written as such an expression (`config = each.value.config`, `local.x`) is the map it names, its
keys at the `config` line; one not evaluated (`merge(...)`) leaves the topic's settings unknown
(DeclaredTopic.settings_unknown), never inherited from the brokers. A
resource whose `count` or `for_each` is unknown may or may not exist: it is one coverage gap at
its line (not judged), never one unknown per rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from auditor.model import ConfigSource, ConfigValue, CoverageGap, DeclaredTopic
from auditor.sources.files.base import FileText, Found, read_text
from auditor.sources.files.values import ParseError

FORMAT = "terraform"
RESOURCE = "kafka_topic"
PROVIDER = "kafka"  # Mongey/kafka
_T = TypeVar("_T")
_COUNT = "\0count"  # the `each` of a counted resource: (_COUNT, index)
_REFERENCE = re.compile(r"\$\{([^{}]*)\}")
_CONDITIONAL = re.compile(r"(?P<test>[^?]+?)\s*\?\s*(?P<then>[^:]+?)\s*:\s*(?P<other>.+)", re.S)
_COMPARISON = re.compile(r"(?P<left>.+?)\s*(?P<op>==|!=)\s*(?P<right>.+)", re.S)
_SIMPLE = re.compile(
    r"(var|local|each|count)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\"[^\"]*\"\])*)$"
)


class Unknown(Exception):
    """An expression this reader does not evaluate; the message says which and why."""


@dataclass
class Module:
    """What the .tf files of one folder define: variable defaults and locals."""

    variables: dict[str, Any] = field(default_factory=dict)
    no_default: set[str] = field(default_factory=set)
    locals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TfFile:
    path: str
    data: Mapping[str, Any]
    lines: Mapping[tuple[str, ...], int]


def read_terraform_files(folder: Path, files: Sequence[FileText]) -> Found:
    """One module: variables and locals from every .tf file of the folder, topics from the chosen ones."""
    chosen = [_parse_file(file.text, file.display) for file in files]
    chosen_paths = {file.path.resolve() for file in files}
    siblings = [p for p in sorted(folder.glob("*.tf")) if p.resolve() not in chosen_paths]
    variables = [_parse_file(read_text(p, str(p)) or "", str(p)) for p in siblings]
    return read_module(chosen, module_of(chosen + variables), variables)


def _parse_file(text: str, path: str) -> TfFile:
    try:
        return parse_tf(text, path)
    except ParseError as exc:
        raise ParseError(exc.problem, exc.line, exc.path or path) from exc


def parse_tf(text: str, path: str) -> TfFile:
    import hcl2
    from hcl2.utils import SerializationOptions
    from lark.exceptions import LarkError

    try:
        tree = hcl2.parses_to_tree(text)
        data = hcl2.transform(tree).serialize(options=SerializationOptions(strip_string_quotes=True))
    except LarkError as exc:
        line = getattr(exc, "line", None)
        at = line if isinstance(line, int) and line > 0 else None
        raise ParseError(f"invalid HCL: {_lark_problem(exc)}", at) from exc
    except (RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ParseError(f"invalid HCL ({type(exc).__name__})") from exc
    return TfFile(path, data if isinstance(data, dict) else {}, _lines(tree))


def module_of(files: list[TfFile]) -> Module:
    module = Module()
    for tf in files:
        for block in tf.data.get("variable", []):
            for name, body in block.items():
                if isinstance(body, dict) and "default" in body:
                    module.variables[name] = body["default"]
                else:
                    module.no_default.add(name)
        for block in tf.data.get("locals", []):
            module.locals.update({k: v for k, v in block.items() if not k.startswith("__")})
    return module


def read_module(files: list[TfFile], module: Module, provider_files: Sequence[TfFile] = ()) -> Found:
    topics: list[DeclaredTopic] = []
    gaps: list[CoverageGap] = []
    bootstrap, where = _provider_bootstrap([*files, *provider_files], module)
    for tf in files:
        for label, body in _resources(tf.data):
            try:
                found = _topics(tf, label, body, module)
            except _ExistenceUnknown as exc:
                gaps.append(exc.gap)
                continue
            topics.extend(replace(t, bootstrap=bootstrap, bootstrap_from=where) if bootstrap else t for t in found)
    return Found(topics=tuple(topics), gaps=tuple(gaps))


def _provider_bootstrap(files: Sequence[TfFile], module: Module) -> tuple[tuple[str, ...], str | None]:
    """The kafka provider's bootstrap_servers in the module (one provider block without an alias):
    the cluster its kafka_topic resources are created on. Nothing when it is not evaluated."""
    found = [
        (tf, body)
        for tf in files
        for block in tf.data.get("provider", [])
        for name, body in block.items()
        if name == PROVIDER and isinstance(body, dict) and "alias" not in body and "bootstrap_servers" in body
    ]
    if len(found) != 1:
        return (), None
    tf, body = found[0]
    try:
        value = evaluate(body["bootstrap_servers"], module, None)
    except Unknown:
        return (), None
    servers = value if isinstance(value, list) else str(value).split(",")
    line = tf.lines.get((f"provider {PROVIDER}", "bootstrap_servers"))
    where = f"{tf.path}:{line}" if line else tf.path
    return tuple(str(s).strip() for s in servers if str(s).strip()), f"kafka provider bootstrap_servers {where}"


class _ExistenceUnknown(Exception):
    """A resource whose count or for_each is not evaluated: it may or may not exist."""

    def __init__(self, gap: CoverageGap) -> None:
        super().__init__(gap.reason)
        self.gap = gap


def _resources(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for block in data.get("resource", []):
        for label, body in (block.get(RESOURCE) or {}).items():
            if isinstance(body, dict):
                yield label, body


def _topics(tf: TfFile, label: str, body: dict[str, Any], module: Module) -> list[DeclaredTopic]:
    base = f"{RESOURCE}.{label}"
    if "count" in body:
        count = _meta_argument(tf, label, "count", body, module, _count)
        return [_topic(tf, label, f"{base}[{i}]", body, module, (_COUNT, i)) for i in range(count)]
    if "for_each" not in body:
        return [_topic(tf, label, base, body, module, None)]
    instances = _meta_argument(tf, label, "for_each", body, module, _instances)
    from_default = _defaults_used(body["for_each"])
    return [
        _topic(tf, label, f'{base}["{key}"]', body, module, (key, value), for_each_detail=from_default)
        for key, value in instances
    ]


def _meta_argument(
    tf: TfFile, label: str, name: str, body: dict[str, Any], module: Module, read: Callable[[Any, Module], _T]
) -> _T:
    """count or for_each evaluated; raises _ExistenceUnknown (one gap for the resource) when it cannot be."""
    try:
        return read(body[name], module)
    except Unknown as exc:
        line = tf.lines.get((label, name))
        where = f"{tf.path}:{line}" if line else tf.path
        reason = f"{RESOURCE}.{label}: {name} not evaluated ({exc}): whether the topic exists is unknown; not judged"
        raise _ExistenceUnknown(CoverageGap(where, reason)) from exc


def _count(expression: Any, module: Module) -> int:
    value = evaluate(expression, module, None)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise Unknown(f"count {value!r} is not a whole number")
    return int(value)


def _instances(expression: Any, module: Module) -> list[tuple[str, Any]]:
    value = evaluate(expression, module, None)
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list):
        return [(str(v), v) for v in value]
    raise Unknown(f"{expression!r} is not a map or a set")


def _topic(
    tf: TfFile,
    label: str,
    name: str,
    body: dict[str, Any],
    module: Module,
    each: tuple[str, Any] | None,
    for_each_detail: str | None = None,
) -> DeclaredTopic:
    def value(key: str, expression: Any, where: tuple[str, ...]) -> ConfigValue:
        line = tf.lines.get((label, *where))
        found = config_value(key, expression, module, each, tf.path, line)
        if for_each_detail and found.value is not None and "each." in str(expression):
            found = replace(found, detail=f"{for_each_detail} (for_each)")
        return found

    settings, unknown = _config(tf, label, body, module, each, value, for_each_detail)
    topic_name = value("name", body["name"], ("name",)).value if "name" in body else None
    return DeclaredTopic(
        name=name,
        topic_name=topic_name,
        path=tf.path,
        format=FORMAT,
        replication_factor=value("replication.factor", body["replication_factor"], ("replication_factor",))
        if "replication_factor" in body
        else None,
        partitions=value("partitions", body["partitions"], ("partitions",)) if "partitions" in body else None,
        settings=settings,
        settings_unknown=unknown,
    )


def _config(
    tf: TfFile,
    label: str,
    body: dict[str, Any],
    module: Module,
    each: tuple[str, Any] | None,
    value: Callable[[str, Any, tuple[str, ...]], ConfigValue],
    for_each_detail: str | None,
) -> tuple[dict[str, ConfigValue], ConfigValue | None]:
    """The topic's config map: written in the resource, or an expression (`config = each.value.config`,
    a variable, a local) evaluated to a map whose keys sit at the `config` line. An expression not
    evaluated leaves every key unknown (the second item says why), never the broker's defaults."""
    config = body.get("config")
    if config is None:
        return {}, None
    if isinstance(config, dict):
        written = {str(k): v for k, v in config.items() if not str(k).startswith("__")}
        return {k: value(k, v, ("config", k)) for k, v in written.items()}, None
    line = tf.lines.get((label, "config"))
    try:
        resolved = evaluate(config, module, each)
    except Unknown as exc:
        why = "" if str(exc).startswith("expression ") else f" ({exc})"  # its own text would repeat it
        return {}, _config_unknown(tf, line, f"config = {_shown_expression(config)} not evaluated{why}")
    if not isinstance(resolved, dict):
        return {}, _config_unknown(tf, line, f"config = {_shown_expression(config)} is not a map")
    settings = {str(k): config_value(str(k), v, module, each, tf.path, line) for k, v in resolved.items()}
    from_map = f"{for_each_detail} (for_each)" if for_each_detail and "each." in config else None
    used = _defaults_used(config) or from_map
    detail = f"from config = {_shown_expression(config)}" + (f"; {used}" if used else "")
    return {k: replace(v, detail=v.detail or detail) for k, v in settings.items()}, None


def _config_unknown(tf: TfFile, line: int | None, why: str) -> ConfigValue:
    return ConfigValue("config", None, ConfigSource.UNKNOWN, tf.path, line, detail=why)


def _shown_expression(expression: Any) -> str:
    """An expression as the .tf file writes it (python-hcl2 wraps it in ${...})."""
    text = str(expression)
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def config_value(
    key: str, expression: Any, module: Module, each: tuple[str, Any] | None, path: str, line: int | None
) -> ConfigValue:
    try:
        result = evaluate(expression, module, each)
    except Unknown as exc:
        return ConfigValue(key, None, ConfigSource.FILE, path, line, detail=str(exc))
    detail = _defaults_used(expression)
    return ConfigValue(key, _text(result), ConfigSource.FILE, path, line, detail=detail)


def _defaults_used(expression: Any) -> str | None:
    if not isinstance(expression, str):
        return None
    names = [m.group(1) for m in _REFERENCE.finditer(expression) if m.group(1).startswith("var.")]
    return f"judged on the default of {', '.join(names)}" if names else None


def evaluate(expression: Any, module: Module, each: tuple[str, Any] | None) -> Any:
    """A literal, or a string with ${...} references this reader can resolve; else Unknown."""
    if not isinstance(expression, str):
        return expression
    whole = _REFERENCE.fullmatch(expression)
    if whole:
        return _reference(whole.group(1).strip(), module, each)
    if expression.startswith("${") and expression.endswith("}") and _balanced(expression[2:-1]):
        return _reference(expression[2:-1].strip(), module, each)  # `c ? var.m : {}`: braces inside
    return _REFERENCE.sub(lambda m: _text(_reference(m.group(1).strip(), module, each)), expression)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _reference(text: str, module: Module, each: tuple[str, Any] | None) -> Any:
    conditional = _CONDITIONAL.fullmatch(text)
    if conditional:
        chosen = "then" if _test(conditional.group("test").strip(), module, each) else "other"
        return _literal_or_reference(conditional.group(chosen).strip(), module, each)
    wrapped = re.fullmatch(r"(toset|tolist|tomap)\((.*)\)", text, re.S)
    if wrapped:
        return _literal_or_reference(wrapped.group(2).strip(), module, each)
    match = _SIMPLE.match(text)
    if not match:
        raise Unknown(f"expression ${{{text}}} not evaluated")
    kind, name, rest = match.groups()
    value = _root(kind, name, module, each)
    for part in re.findall(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[\"([^\"]*)\"\]", rest):
        key = part[0] or part[1]
        if not isinstance(value, dict) or key not in value:
            raise Unknown(f"${{{text}}} has no {key}")
        value = value[key]
    return value


def _test(text: str, module: Module, each: tuple[str, Any] | None) -> bool:
    """A conditional's condition: a boolean, `!X`, or `X == literal` / `X != literal`."""
    if text.startswith("!"):
        return not _test(text[1:].strip(), module, each)
    comparison = _COMPARISON.fullmatch(text)
    if comparison:
        left = _literal_or_reference(comparison.group("left").strip(), module, each)
        right = _literal_or_reference(comparison.group("right").strip(), module, each)
        return (left == right) is (comparison.group("op") == "==")
    value = _literal_or_reference(text, module, each)
    if not isinstance(value, bool):
        raise Unknown(f"condition {text} is not a boolean")
    return value


def _literal_or_reference(text: str, module: Module, each: tuple[str, Any] | None) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _reference(text, module, each)


def _root(kind: str, name: str, module: Module, each: tuple[str, Any] | None) -> Any:
    if kind == "var":
        if name in module.variables:
            return module.variables[name]
        if name in module.no_default:
            raise Unknown(f"Terraform variable {name} has no default")
        raise Unknown(f"Terraform variable {name} is not declared in this module")
    if kind == "local":
        if name not in module.locals:
            raise Unknown(f"local.{name} is not defined in this module")
        return _local(name, module, each)
    if kind == "count":
        if each is None or each[0] != _COUNT or name != "index":
            raise Unknown(f"count.{name} outside a counted resource")
        return each[1]
    if each is None or each[0] == _COUNT:
        raise Unknown(f"each.{name} outside for_each")
    if name == "key":
        return each[0]
    if name == "value":
        return each[1]
    raise Unknown(f"each.{name} is not key or value")


# The locals being resolved, outermost first: one that refers back to itself is a cycle.
_RESOLVING: ContextVar[tuple[str, ...]] = ContextVar("terraform_locals_resolving", default=())


def _local(name: str, module: Module, each: tuple[str, Any] | None) -> Any:
    """local.NAME's value; ParseError on locals that refer to each other, which Terraform refuses
    ("Cycle: local.a, local.b") and no value can be given to."""
    chain = _RESOLVING.get()
    if name in chain:
        cycle = " -> ".join(f"local.{n}" for n in (*chain[chain.index(name) :], name))
        raise ParseError(f"Terraform locals refer to each other in a cycle: {cycle}")
    token = _RESOLVING.set((*chain, name))
    try:
        return evaluate(module.locals[name], module, each)
    finally:
        _RESOLVING.reset(token)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise Unknown("a map or list where a single value was expected")
    return str(value)


# --- lines: python-hcl2's dict has none, its lark tree does


def _lark_problem(exc: Exception) -> str:
    """What the parser met and where, never the text itself: an unterminated `sasl_password`
    heredoc is one token holding the secret."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(exc, UnexpectedToken):
        kind = "end of file" if exc.token.type == "$END" else f"{exc.token.type} token"
        return f"unexpected {kind} at line {exc.line}, column {exc.column}"
    if isinstance(exc, UnexpectedCharacters):
        return f"unexpected character at line {exc.line}, column {exc.column}"
    if isinstance(exc, UnexpectedEOF):
        return "unexpected end of file"
    return type(exc).__name__


def _lines(tree: Any) -> dict[tuple[str, ...], int]:
    """(label, attribute) and (label, 'config', key) -> line, for every kafka_topic resource; the
    attributes of a provider block under the label `provider NAME`."""
    lines: dict[tuple[str, ...], int] = {}
    for block in tree.find_data("block"):
        labels = [_string(c) for c in block.children[1:] if getattr(c, "data", None) in ("string", "identifier")]
        kind = _string(block.children[0])
        if kind == "provider" and labels:
            label = f"provider {labels[0]}"
        elif len(labels) >= 2 and kind == "resource" and labels[0] == RESOURCE:
            label = labels[1]
        else:
            continue
        body = next((c for c in block.children if getattr(c, "data", None) == "body"), None)
        for attribute in body.children if body is not None else []:
            if getattr(attribute, "data", None) != "attribute":
                continue
            name = _string(attribute.children[0])
            lines[(label, name)] = attribute.meta.line
            for element in attribute.find_data("object_elem"):
                lines[(label, name, _string(element.children[0]))] = element.meta.line
    return lines


def _string(node: Any) -> str:
    """The text of an identifier or a quoted string node."""
    tokens = [str(t) for t in node.scan_values(lambda v: getattr(v, "type", "") in ("NAME", "STRING_CHARS"))]
    return "".join(tokens)
