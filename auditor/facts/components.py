"""What Connect, Streams and MirrorMaker 2 facts share: settings seen through the component's
defaults, a broker default for `-1` replication factors, and the subject builder.

A file says only what it sets; an omitted key takes the component's default for its Kafka
version (auditor/knowledge/component_defaults.yaml), with a synthesised ConfigValue that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from auditor.facts.base import Fact, FactTable, FactValue, Scope, Subject, SubjectKind, parse_int
from auditor.findings import Location, Resource
from auditor.knowledge.components import ComponentDefaults, component_defaults_for
from auditor.model import BrokerSettings, Configs, ConfigSource, ConfigValue, Estate, Kind

BROKER_DEFAULT_RF = "default.replication.factor"


class ComponentView:
    """A component's settings, completed with its defaults for its version."""

    def __init__(self, component: str, settings: Configs, version: str | None = None) -> None:
        self.settings = settings
        self.defaults: ComponentDefaults = component_defaults_for(component, version)
        self.label = self.defaults.label(version)

    def get(self, parse: Callable[[str | None], FactValue], *keys: str) -> Fact:
        """The first of `keys` the source sets (new name before its deprecated alias), else the
        default of the first key that has one; unknown (None) when neither."""
        for key in keys:
            if key in self.settings:
                origin = self.settings[key]
                return Fact(parse(origin.value), origin)
        for key in keys:
            if key in self.defaults.settings:
                return self.default(key, parse)
        return Fact(None, ConfigValue(keys[0], None, ConfigSource.UNKNOWN, detail=f"not set; {self.label} has none"))

    def default(self, key: str, parse: Callable[[str | None], FactValue]) -> Fact:
        value = self.defaults.settings[key]
        origin = ConfigValue(key, value, ConfigSource.KAFKA_DEFAULT, detail=f"default of {self.label}")
        return Fact(parse(value), origin)

    def is_set(self, key: str) -> bool:
        return key in self.settings


def broker_default_rf(estate: Estate, bootstrap: ConfigValue | None = None, path: str | None = None) -> Fact:
    """default.replication.factor of the brokers, for a `-1` replication factor: the live cluster's
    (the smallest across brokers), else that of the declared cluster the component is linked to
    (its `bootstrap` servers among the brokers' advertised addresses, or the policy declaring its
    file `path` part of the cluster; Kafka's default 1 when a broker file leaves it out); unknown
    when the audit sees no broker of its cluster."""
    if estate.cluster is not None and estate.cluster.brokers:
        values = [b.configs.get(BROKER_DEFAULT_RF) for b in estate.cluster.brokers]
        known = [(parse_int(v.value), v) for v in values if v is not None and parse_int(v.value) is not None]
        if known and len(known) == len(values):
            return Fact(*min(known, key=lambda pair: pair[0] or 0))
        return Fact(None)
    brokers = _linked_brokers(estate, bootstrap, path)
    if brokers:
        from auditor.facts.defaults import with_broker_defaults

        settings = [with_broker_defaults(b.settings, b.path)[BROKER_DEFAULT_RF] for b in brokers]
        parsed = [(parse_int(v.value), v) for v in settings]
        if all(value is not None for value, _ in parsed):
            return Fact(*min(parsed, key=lambda pair: pair[0] or 0))
    return Fact(None)


def _linked_brokers(estate: Estate, bootstrap: ConfigValue | None, path: str | None) -> tuple[BrokerSettings, ...]:
    """The declared brokers of the one cluster a component's file or bootstrap servers link it to."""
    from auditor.facts.clusters import declared_clusters

    wanted = {a.strip().lower() for a in (bootstrap.value or "").split(",") if a.strip()} if bootstrap else set()
    linked = [
        cluster
        for cluster in declared_clusters(estate.brokers, estate.groupings)
        if (cluster.grouping is not None and path is not None and cluster.grouping.holds(path))
        or wanted & cluster.addresses
    ]
    return linked[0].brokers if len(linked) == 1 else ()


def replication_factor(fact: Fact, broker_default: Fact) -> Fact:
    """A replication factor setting; -1 means the brokers' default.replication.factor."""
    if fact.value != -1:
        return fact
    origin = fact.origin
    detail = "-1: the brokers' default.replication.factor"
    if broker_default.value is None or origin is None:
        return Fact(None, _with_detail(origin, f"{detail}, which this audit cannot see"))
    where = broker_default.origin.describe_source() if broker_default.origin else "the brokers"
    return Fact(broker_default.value, _with_detail(origin, f"{detail} = {broker_default.value} ({where})"))


def weakest(facts: list[Fact]) -> Fact:
    """The smallest of several replication factors, with its origin; unknown when any is unknown
    (the unknown one may be the smallest)."""
    known = [f for f in facts if isinstance(f.value, int) and not isinstance(f.value, bool)]
    smallest = min(known, key=lambda f: f.value if isinstance(f.value, int) else 0) if known else Fact(None)
    return smallest if len(known) == len(facts) else Fact(None, smallest.origin)


def _with_detail(origin: ConfigValue | None, detail: str) -> ConfigValue | None:
    if origin is None:
        return None
    return ConfigValue(origin.key, origin.value, origin.source, origin.path, origin.line, detail, origin.sensitive)


def class_name(raw: str | None) -> FactValue:
    """A Java class's simple name: org.apache.kafka.streams.errors.LogAndFailExceptionHandler -> LogAndFail...."""
    if raw is None or not raw.strip():
        return None
    return raw.strip().rsplit(".", 1)[-1].rsplit("$", 1)[-1]


def one_of(*allowed: str) -> Callable[[str | None], FactValue]:
    """A parser for an enum setting, trimmed and case-insensitive as Kafka's ConfigDef validators
    read it; a value outside `allowed` is None (unknown): the component refuses to start with it."""
    by_lower = {value.lower(): value for value in allowed}

    def parse(raw: str | None) -> FactValue:
        return None if raw is None else by_lower.get(raw.strip().lower())

    return parse


def text(raw: str | None) -> FactValue:
    return raw.strip() if raw is not None and raw.strip() else None


def lower(raw: str | None) -> FactValue:
    return raw.strip().lower() if raw is not None and raw.strip() else None


def component_subject(
    kind: Kind, name: str, path: str, facts: Mapping[str, Fact], context: Mapping[str, str], label: str
) -> Subject:
    """A subject of a Connect / Streams / MM2 configuration: every fact's source in `<fact>_source`."""
    sources = {f"{key}_source": _where(fact) for key, fact in facts.items()}
    return Subject(
        resource=Resource(kind, name),
        facts=facts,
        scope=Scope(),  # a component's configuration names no one topic or group the policy could scope
        location=None if path.startswith(("http://", "https://")) else Location(path=path),  # live: the resource
        context={"path": path, "defaults": label, **context, **sources},
    )


def _where(fact: Fact) -> str:
    return fact.origin.describe_source() if fact.origin else "unknown"


def sources_context(facts: Mapping[str, str]) -> dict[str, str]:
    return {f"{name}_source": f"where {name} came from (file and line, REST API, or the default)" for name in facts}


def component_kind(
    name: Kind,
    facts: FactTable[Any, Fact],
    build: Callable[[Estate], Iterable[Subject]],
    read_from: str = "the file",
    **context: str,
) -> SubjectKind:
    """The subject kind of a Connect, Streams or MirrorMaker 2 component: its facts, and the
    context every such kind offers (where it was read, whose defaults apply, where each fact
    came from) around its own."""
    shared = {"path": read_from, "defaults": "whose defaults apply"}
    return SubjectKind(name=name, facts=facts, context={**shared, **context, **sources_context(facts)}, build=build)
