from __future__ import annotations

from typing import Any

import pytest

from auditor.engine.conditions import (
    All,
    AnyOf,
    Compare,
    ConditionError,
    FactRef,
    Literal,
    Not,
    ParamRef,
    parse_condition,
)
from auditor.facts import Fact

FACTS = {"rf": "replication factor", "min_isr": "min ISR", "acks": "acks"}


def verdict(spec: Any, **values: Any) -> bool | None:
    condition = parse_condition(spec, FACTS, {"floor": 2})
    return condition.evaluate({k: Fact(v) for k, v in values.items()}, {"floor": 2})


@pytest.mark.parametrize(
    ("spec", "values", "expected"),
    [
        ({"fact": "rf", "op": "lt", "value": 3}, {"rf": 1}, True),
        ({"fact": "rf", "op": "lt", "value": 3}, {"rf": 3}, False),
        ({"fact": "rf", "op": "lt", "value": 3}, {"rf": None}, None),
        ({"fact": "rf", "op": "lt", "value": 3}, {}, None),
        ({"fact": "min_isr", "op": "ge", "value": {"fact": "rf"}}, {"min_isr": 3, "rf": 3}, True),
        ({"fact": "min_isr", "op": "ge", "value": {"fact": "rf"}}, {"min_isr": 3, "rf": None}, None),
        ({"fact": "min_isr", "op": "lt", "value": {"param": "floor"}}, {"min_isr": 1}, True),
        ({"fact": "acks", "op": "in", "value": ["0", "1"]}, {"acks": "1"}, True),
        ({"fact": "acks", "op": "not_in", "value": ["0", "1"]}, {"acks": "all"}, True),
        ({"fact": "acks", "op": "lt", "value": 1}, {"acks": "all"}, None),
        (
            {"all": [{"fact": "rf", "op": "eq", "value": 1}, {"fact": "acks", "op": "eq", "value": "1"}]},
            {"rf": 2, "acks": None},
            False,
        ),
        (
            {"all": [{"fact": "rf", "op": "eq", "value": 1}, {"fact": "acks", "op": "eq", "value": "1"}]},
            {"rf": 1, "acks": None},
            None,
        ),
        (
            {"any": [{"fact": "rf", "op": "eq", "value": 1}, {"fact": "acks", "op": "eq", "value": "1"}]},
            {"rf": 1, "acks": None},
            True,
        ),
        (
            {"any": [{"fact": "rf", "op": "eq", "value": 1}, {"fact": "acks", "op": "eq", "value": "1"}]},
            {"rf": 2, "acks": None},
            None,
        ),
        ({"not": {"fact": "rf", "op": "eq", "value": 1}}, {"rf": 1}, False),
        ({"not": {"fact": "rf", "op": "eq", "value": 1}}, {"rf": None}, None),
    ],
)
def test_three_valued_evaluation(spec: Any, values: dict[str, Any], expected: bool | None) -> None:
    assert verdict(spec, **values) is expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"fact": "nope", "op": "eq", "value": 1}, "unknown fact 'nope'"),
        ({"fact": "rf", "op": "matches", "value": 1}, "unknown operator 'matches'"),
        ({"fact": "rf", "op": "eq", "value": {"param": "ceiling"}}, "unknown param 'ceiling'"),
        ({"fact": "rf", "op": "eq"}, "needs a 'value'"),
        ({"all": []}, "non-empty list"),
        ({"fact": "rf", "op": "eq", "value": 1, "extra": True}, "unexpected key"),
        ("rf < 3", "must be a mapping"),
        ({"fact": "rf", "op": "eq", "value": {"python": "__import__('os')"}}, "operand mapping"),
    ],
)
def test_bad_conditions_are_rejected_with_a_reason(spec: Any, message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        parse_condition(spec, FACTS, {"floor": 2})


NESTED = {
    "any": [
        {
            "all": [
                {"fact": "rf", "op": "lt", "value": {"param": "floor"}},
                {"fact": "acks", "op": "in", "value": ["0", "1"]},
            ]
        },
        {"not": {"fact": "min_isr", "op": "ge", "value": {"fact": "rf"}}},
    ]
}


def test_a_condition_parses_once_into_a_tree_of_frozen_nodes() -> None:
    assert parse_condition(NESTED, FACTS, {"floor": 2}) == AnyOf(
        (
            All(
                (
                    Compare(FactRef("rf"), "lt", ParamRef("floor")),
                    Compare(FactRef("acks"), "in", Literal(("0", "1"))),
                )
            ),
            Not(Compare(FactRef("min_isr"), "ge", FactRef("rf"))),
        )
    )


def test_the_tree_prints_itself_for_the_docs() -> None:
    text = str(parse_condition(NESTED, FACTS, {"floor": 2}))
    assert text == 'any(all(rf < param floor, acks in ["0", "1"]), not(min_isr >= rf))'


def test_the_tree_lists_every_comparison_at_any_depth() -> None:
    compares = list(parse_condition(NESTED, FACTS, {"floor": 2}).comparisons())
    assert [(c.fact.name, c.op, str(c.value)) for c in compares] == [
        ("rf", "lt", "param floor"),
        ("acks", "in", '["0", "1"]'),
        ("min_isr", "ge", "rf"),
    ]
