"""A small, safe, declarative condition language over facts. No Python is ever evaluated.

    {fact: replication_factor, op: lt, value: 3}
    {fact: min_insync_replicas, op: ge, value: {fact: replication_factor}}
    {fact: acks, op: in, value: ["0", "1"]}
    {all: [...]} | {any: [...]} | {not: {...}}

Operands are literals, `{param: NAME}` or `{fact: NAME}`. Evaluation is three-valued: a fact
whose value is unknown (None) makes a comparison unknown, and `all`/`any`/`not` follow Kleene
logic, so an undeterminable value is reported as `unknown`, never assumed fine.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from auditor.facts import Fact, FactValue

Verdict = bool | None
Condition = Callable[[Mapping[str, Fact], Mapping[str, Any]], Verdict]
Operand = Callable[[Mapping[str, Fact], Mapping[str, Any]], Any]


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


def compile_condition(spec: Any, facts: Mapping[str, str], params: Mapping[str, Any]) -> Condition:
    """Turn a condition spec into a function of (facts, params); validate names now."""
    if not isinstance(spec, Mapping) or not spec:
        raise ConditionError(f"a condition must be a mapping, got {spec!r}")
    if "all" in spec or "any" in spec:
        return _compile_junction(spec, facts, params)
    if "not" in spec:
        _only_keys(spec, {"not"})
        inner = compile_condition(spec["not"], facts, params)
        return lambda f, p: None if (v := inner(f, p)) is None else not v
    return _compile_comparison(spec, facts, params)


def _compile_junction(spec: Mapping[str, Any], facts: Mapping[str, str], params: Mapping[str, Any]) -> Condition:
    (word,) = [k for k in ("all", "any") if k in spec]
    _only_keys(spec, {word})
    items = spec[word]
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        raise ConditionError(f"'{word}' needs a non-empty list of conditions")
    parts = [compile_condition(item, facts, params) for item in items]
    combine = _all if word == "all" else _any
    return lambda f, p: combine(part(f, p) for part in parts)


def _all(verdicts: Any) -> Verdict:
    seen_unknown = False
    for verdict in verdicts:
        if verdict is False:
            return False
        seen_unknown = seen_unknown or verdict is None
    return None if seen_unknown else True


def _any(verdicts: Any) -> Verdict:
    seen_unknown = False
    for verdict in verdicts:
        if verdict is True:
            return True
        seen_unknown = seen_unknown or verdict is None
    return None if seen_unknown else False


def _compile_comparison(spec: Mapping[str, Any], facts: Mapping[str, str], params: Mapping[str, Any]) -> Condition:
    _only_keys(spec, {"fact", "op", "value"})
    if "fact" not in spec or "op" not in spec:
        raise ConditionError(f"a comparison needs 'fact' and 'op': {dict(spec)!r}")
    left = _compile_operand({"fact": spec["fact"]}, facts, params)
    op_name = spec["op"]
    if op_name not in OPERATORS:
        raise ConditionError(f"unknown operator {op_name!r}; known: {', '.join(OPERATORS)}")
    if "value" not in spec:
        raise ConditionError(f"comparison on {spec['fact']!r} needs a 'value'")
    right = _compile_operand(spec["value"], facts, params)
    compare = OPERATORS[op_name]

    def evaluate(f: Mapping[str, Fact], p: Mapping[str, Any]) -> Verdict:
        a, b = left(f, p), right(f, p)
        if a is None or b is None:
            return None
        try:
            return bool(compare(a, b))
        except TypeError:
            return None

    return evaluate


def _compile_operand(spec: Any, facts: Mapping[str, str], params: Mapping[str, Any]) -> Operand:
    if isinstance(spec, Mapping):
        if set(spec) == {"fact"}:
            name = spec["fact"]
            if name not in facts:
                raise ConditionError(f"unknown fact {name!r}; known: {', '.join(sorted(facts))}")
            return lambda f, p: _fact_value(f, name)
        if set(spec) == {"param"}:
            name = spec["param"]
            if name not in params:
                raise ConditionError(f"unknown param {name!r}; declared: {', '.join(sorted(params)) or 'none'}")
            return lambda f, p: p[name]
        raise ConditionError(f"an operand mapping must be {{fact: NAME}} or {{param: NAME}}, got {dict(spec)!r}")
    literal = spec
    return lambda f, p: literal


def _fact_value(facts: Mapping[str, Fact], name: str) -> FactValue:
    fact = facts.get(name)
    return None if fact is None else fact.value


def _only_keys(spec: Mapping[str, Any], allowed: set[str]) -> None:
    extra = set(spec) - allowed
    if extra:
        raise ConditionError(f"unexpected key(s) {', '.join(sorted(map(str, extra)))} in condition")
