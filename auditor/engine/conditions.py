"""A small, safe, declarative condition language over facts. No Python is ever evaluated.

    {fact: replication_factor, op: lt, value: 3}
    {fact: min_insync_replicas, op: ge, value: {fact: replication_factor}}
    {fact: acks, op: in, value: ["0", "1"]}
    {all: [...]} | {any: [...]} | {not: {...}}

Operands are literals, `{param: NAME}` or `{fact: NAME}`. A condition is parsed once, when its
rule loads, into a tree of small frozen nodes (Compare, All, AnyOf, Not) that every reader
shares: the engine evaluates it, docs and `rules show` print it (`str(node)`), and the live
collection asks it which thresholds to measure (`comparisons()`). Evaluation is three-valued: a
fact whose value is unknown (None) makes a comparison unknown, and all/any/not follow Kleene
logic, so an undeterminable value is reported as `unknown`, never assumed fine.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.facts import Fact

Verdict = bool | None
Facts = Mapping[str, Fact]
Params = Mapping[str, Any]


class ConditionError(ValueError):
    """A condition that names an unknown fact, param or operator, or is malformed."""


def _membership(value: Any, options: Any) -> bool:
    if not isinstance(options, (list, tuple, set, frozenset)):
        raise TypeError(f"'in' needs a list, got {options!r}")
    return value in options


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "in": _membership,
    "not_in": lambda value, options: not _membership(value, options),
}
SIGNS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "in": "in", "not_in": "not in"}


# --- operands


@dataclass(frozen=True)
class FactRef:
    name: str

    def resolve(self, facts: Facts, params: Params) -> Any:
        fact = facts.get(self.name)
        return None if fact is None else fact.value

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ParamRef:
    name: str

    def resolve(self, facts: Facts, params: Params) -> Any:
        return params[self.name]

    def __str__(self) -> str:
        return f"param {self.name}"


@dataclass(frozen=True)
class Literal:
    value: Any  # a scalar, or a tuple for in / not_in

    def resolve(self, facts: Facts, params: Params) -> Any:
        return self.value

    def __str__(self) -> str:
        return json.dumps(list(self.value) if isinstance(self.value, tuple) else self.value)


Operand = FactRef | ParamRef | Literal


# --- conditions


@dataclass(frozen=True)
class Compare:
    fact: FactRef
    op: str
    value: Operand

    def evaluate(self, facts: Facts, params: Params) -> Verdict:
        a, b = self.fact.resolve(facts, params), self.value.resolve(facts, params)
        if a is None or b is None:
            return None
        try:
            return bool(OPERATORS[self.op](a, b))
        except TypeError:
            return None

    def comparisons(self) -> Iterator[Compare]:
        yield self

    def __str__(self) -> str:
        return f"{self.fact} {SIGNS[self.op]} {self.value}"


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Facts, params: Params) -> Verdict:
        return _all(part.evaluate(facts, params) for part in self.parts)

    def comparisons(self) -> Iterator[Compare]:
        for part in self.parts:
            yield from part.comparisons()

    def __str__(self) -> str:
        return f"all({', '.join(map(str, self.parts))})"


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Facts, params: Params) -> Verdict:
        return _any(part.evaluate(facts, params) for part in self.parts)

    def comparisons(self) -> Iterator[Compare]:
        for part in self.parts:
            yield from part.comparisons()

    def __str__(self) -> str:
        return f"any({', '.join(map(str, self.parts))})"


@dataclass(frozen=True)
class Not:
    inner: Condition

    def evaluate(self, facts: Facts, params: Params) -> Verdict:
        verdict = self.inner.evaluate(facts, params)
        return None if verdict is None else not verdict

    def comparisons(self) -> Iterator[Compare]:
        return self.inner.comparisons()

    def __str__(self) -> str:
        return f"not({self.inner})"


Condition = Compare | All | AnyOf | Not


def facts_read(condition: Condition) -> tuple[str, ...]:
    """Every fact a condition may read, on either side of a comparison, in order."""
    names: dict[str, None] = {}
    for compare in condition.comparisons():
        for operand in (compare.fact, compare.value):
            if isinstance(operand, FactRef):
                names[operand.name] = None
    return tuple(names)


def _all(verdicts: Iterable[Verdict]) -> Verdict:
    seen_unknown = False
    for verdict in verdicts:
        if verdict is False:
            return False
        seen_unknown = seen_unknown or verdict is None
    return None if seen_unknown else True


def _any(verdicts: Iterable[Verdict]) -> Verdict:
    seen_unknown = False
    for verdict in verdicts:
        if verdict is True:
            return True
        seen_unknown = seen_unknown or verdict is None
    return None if seen_unknown else False


# --- parsing


def parse_condition(spec: Any, facts: Mapping[str, str], params: Params) -> Condition:
    """The tree of a condition as the YAML writes it; every fact, param and operator checked now."""
    if not isinstance(spec, Mapping) or not spec:
        raise ConditionError(f"a condition must be a mapping, got {spec!r}")
    if "all" in spec or "any" in spec:
        return _parse_junction(spec, facts, params)
    if "not" in spec:
        _only_keys(spec, {"not"})
        return Not(parse_condition(spec["not"], facts, params))
    return _parse_comparison(spec, facts, params)


def _parse_junction(spec: Mapping[str, Any], facts: Mapping[str, str], params: Params) -> Condition:
    (word,) = [k for k in ("all", "any") if k in spec]
    _only_keys(spec, {word})
    items = spec[word]
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        raise ConditionError(f"'{word}' needs a non-empty list of conditions")
    parts = tuple(parse_condition(item, facts, params) for item in items)
    return All(parts) if word == "all" else AnyOf(parts)


def _parse_comparison(spec: Mapping[str, Any], facts: Mapping[str, str], params: Params) -> Compare:
    _only_keys(spec, {"fact", "op", "value"})
    if "fact" not in spec or "op" not in spec:
        raise ConditionError(f"a comparison needs 'fact' and 'op': {dict(spec)!r}")
    left = _fact(spec["fact"], facts)
    op_name = spec["op"]
    if op_name not in OPERATORS:
        raise ConditionError(f"unknown operator {op_name!r}; known: {', '.join(OPERATORS)}")
    if "value" not in spec:
        raise ConditionError(f"comparison on {spec['fact']!r} needs a 'value'")
    return Compare(left, op_name, _parse_operand(spec["value"], facts, params))


def _parse_operand(spec: Any, facts: Mapping[str, str], params: Params) -> Operand:
    if isinstance(spec, Mapping):
        if set(spec) == {"fact"}:
            return _fact(spec["fact"], facts)
        if set(spec) == {"param"}:
            name = spec["param"]
            if name not in params:
                raise ConditionError(f"unknown param {name!r}; declared: {', '.join(sorted(params)) or 'none'}")
            return ParamRef(name)
        raise ConditionError(f"an operand mapping must be {{fact: NAME}} or {{param: NAME}}, got {dict(spec)!r}")
    return Literal(tuple(spec) if isinstance(spec, list) else spec)


def _fact(name: Any, facts: Mapping[str, str]) -> FactRef:
    if name not in facts:
        raise ConditionError(f"unknown fact {name!r}; known: {', '.join(sorted(facts))}")
    return FactRef(name)


def _only_keys(spec: Mapping[str, Any], allowed: set[str]) -> None:
    extra = set(spec) - allowed
    if extra:
        raise ConditionError(f"unexpected key(s) {', '.join(sorted(map(str, extra)))} in condition")
