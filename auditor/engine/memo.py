"""Judge equal facts once: a condition's verdict is a function of the facts it reads and the params.

Thousands of partitions, topics and group offsets of a large cluster share their facts (same
replica count, ISR size, min.insync.replicas...). A Memo evaluates a check's condition on a
subject through a mapping that records which facts it reads; a later subject that has the same
values for those facts takes the same path through the condition (every branch depends only on
values already read) and so gets the same verdict without evaluating it. The answer cannot
differ, and a condition that looks at the facts in any other way (iterating them) is never
memoised.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from auditor.engine.conditions import Verdict
from auditor.facts import Fact


class Condition(Protocol):
    """What a Memo judges with: a parsed condition (auditor.engine.conditions) or anything that evaluates."""

    def evaluate(self, facts: Mapping[str, Fact], params: Mapping[str, Any]) -> Verdict: ...

_ABSENT = object()


class _Reading(Mapping[str, Fact]):
    """The subject's facts, noting each one read; `whole` when read other than by name."""

    def __init__(self, facts: Mapping[str, Fact]) -> None:
        self._facts = facts
        self.read: list[str] = []
        self.whole = False

    def __getitem__(self, name: str) -> Fact:
        self.read.append(name)
        return self._facts[name]

    def get(self, name: str, default: Any = None) -> Any:
        self.read.append(name)
        return self._facts.get(name, default)

    def __contains__(self, name: object) -> bool:
        self.read.append(str(name))
        return name in self._facts

    def __iter__(self) -> Iterator[str]:
        self.whole = True
        return iter(self._facts)

    def __len__(self) -> int:
        self.whole = True
        return len(self._facts)


def _values(facts: Mapping[str, Fact], names: tuple[str, ...]) -> tuple[object, ...]:
    """The values (with their types: 1 and True judge alike, but keep them apart) of `names`."""
    found: list[object] = []
    for name in names:
        fact = facts.get(name)
        found.append(_ABSENT if fact is None else (type(fact.value), fact.value))
    return tuple(found)


class Memo:
    """The verdicts of one condition under one rule's params, by the values of the facts it read."""

    def __init__(self, condition: Condition, params: Mapping[str, Any]) -> None:
        self._condition = condition
        self._params = params
        self._paths: dict[tuple[str, ...], dict[tuple[object, ...], Verdict]] = {}
        self._unmemoisable = False

    def verdict(self, facts: Mapping[str, Fact]) -> Verdict:
        for names, verdicts in self._paths.items():
            found = verdicts.get(_values(facts, names), _ABSENT)
            if found is not _ABSENT:
                return found  # type: ignore[return-value]
        if self._unmemoisable:
            return self._condition.evaluate(facts, self._params)
        reading = _Reading(facts)
        verdict = self._condition.evaluate(reading, self._params)
        if reading.whole:
            self._unmemoisable = True
        else:
            names = tuple(dict.fromkeys(reading.read))
            self._paths.setdefault(names, {})[_values(facts, names)] = verdict
        return verdict
