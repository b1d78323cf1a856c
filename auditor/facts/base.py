"""Facts: what the rules need, derived from the model.

A rule never reads the model; it reads the facts of a subject (a topic, a broker, ...). Each
fact carries its value (None when it could not be determined) and, where it is a
configuration value, the ConfigValue it came from, so a finding can say where it was set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from auditor.findings import Location, Resource
from auditor.model import ClusterSnapshot, ConfigValue, Declared, Estate, Kind

FactValue = int | float | str | bool | None


def declared_location(at: Declared) -> Location:
    """Where the services manifest declares something: its file and line."""
    return Location(at.path, at.line)


def cluster_access(cluster: ClusterSnapshot | None) -> dict[str, str | None]:
    """What a fix command needs to reach the audited cluster; rules/commands.yaml words the command."""
    return {
        "bootstrap": cluster.bootstrap if cluster else None,
        "command_config": cluster.command_config if cluster else None,
    }


CLUSTER_ACCESS = {
    "bootstrap": "the audited cluster's bootstrap servers; unknown without a cluster",
    "command_config": "the client properties file the audit connected with; unknown when it used none",
}


@dataclass(frozen=True, slots=True)
class Fact:
    """`not_applicable` says why this subject cannot have the fact at all (a KRaft quorum on a
    ZooKeeper cluster): a rule reading it does not run, unlike an unknown value (not read).
    `by_policy` with it: the fact compares with what the policy declares, and the policy declares
    nothing for it (STO022 without broker_defaults): a check the policy did not ask for, not news."""

    value: FactValue
    origin: ConfigValue | None = None
    not_applicable: str | None = None
    by_policy: bool = False


@dataclass(frozen=True, slots=True)
class Scope:
    """What a policy's include/exclude sees of a subject: the topic and the consumer group it is
    about, None for what it is not about (a broker has neither, a producer config names no topic)."""

    topic: str | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Subject:
    """One resource and its facts, as a rule sees it. `scope` has no default: every kind says what
    of it a policy's topics/groups include and exclude apply to, so none escapes a scope by omission."""

    resource: Resource
    facts: Mapping[str, Fact]
    scope: Scope = field(kw_only=True)
    location: Location | None = None
    context: Mapping[str, str | None] = field(default_factory=dict)


In = TypeVar("In")
Out = TypeVar("Out")


@dataclass(frozen=True)
class FactSpec(Generic[In, Out]):
    """One fact a kind offers, declared once: the name rules use, what it means (docs/rules.md,
    `rules show`) and how it is derived from what the kind's builder sees of one subject."""

    name: str
    description: str
    derive: Callable[[In], Out]


class FactTable(Mapping[str, str], Generic[In, Out]):
    """A kind's facts: as a mapping, each name to its description (what the rule loader accepts
    and docs/rules.md lists); `derive` gives a subject exactly these facts, in this order."""

    def __init__(self, *specs: FactSpec[In, Out]) -> None:
        names = [spec.name for spec in specs]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"facts declared more than once: {', '.join(twice)}")
        self.specs = specs
        self._by_name = {spec.name: spec for spec in specs}

    def __getitem__(self, name: str) -> str:
        return self._by_name[name].description

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def derive(self, seen: In) -> dict[str, Out]:
        return {spec.name: spec.derive(seen) for spec in self.specs}


@dataclass(frozen=True)
class SubjectKind:
    """A kind of subject rules can target: the facts it offers and how to derive them.

    `facts` declares each fact once (name, meaning, derivation; the builder derives them from
    it); `context` maps each template name to what it means. The rule loader rejects any other
    name, and docs/rules.md lists them.
    """

    name: Kind
    facts: FactTable[Any, Any]
    context: Mapping[str, str]
    build: Callable[[Estate], Iterable[Subject]]


def parse_int(raw: str | None) -> int | None:
    try:
        return int(raw.strip()) if raw is not None else None
    except ValueError:
        return None


def parse_bool(raw: str | None) -> bool | None:
    """Kafka's ConfigDef reads booleans case-insensitively and trims them."""
    if raw is None:
        return None
    return {"true": True, "false": False}.get(raw.strip().lower())


def config_fact(configs: Mapping[str, ConfigValue], key: str, parse: Callable[[str | None], FactValue]) -> Fact:
    origin = configs.get(key)
    if origin is None:
        return Fact(None)
    value = parse(origin.value)
    return Fact(value, flag_invalid(origin, value))


def flag_invalid(origin: ConfigValue, parsed: FactValue, consequence: str = "Kafka rejects it") -> ConfigValue:
    """The origin of a value that was read but cannot be interpreted says so: its fact is unknown
    (never the default), and the finding tells why."""
    if parsed is not None or origin.value is None:
        return origin
    problem = f"{origin.value.strip()!r} is not a valid {origin.key}: {consequence}"
    return replace(origin, detail=f"{origin.detail}; {problem}" if origin.detail else problem)
