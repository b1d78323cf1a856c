"""Facts of a Kafka Streams application's configuration (properties, spring.kafka.streams.*)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from auditor.facts.base import Fact, FactSpec, FactTable, FactValue, Subject, parse_int
from auditor.facts.components import (
    ComponentView,
    broker_default_rf,
    class_name,
    component_kind,
    component_subject,
    one_of,
    replication_factor,
    text,
)
from auditor.model import ConfigSource, ConfigValue, Estate, Kind, StreamsApp, StreamsHandler

# Handlers Kafka ships, by simple name: True when they skip the record and go on, False when they stop.
SKIPS = {
    "LogAndContinueExceptionHandler": True,
    "LogAndFailExceptionHandler": False,
    "LogAndContinueProcessingExceptionHandler": True,
    "LogAndFailProcessingExceptionHandler": False,
    "DefaultProductionExceptionHandler": False,
}


def skips(raw: str | None) -> FactValue:
    """Whether a handler class skips failed records; None for a handler Kafka does not ship (its code decides)."""
    name = class_name(raw)
    return SKIPS.get(name) if isinstance(name, str) else None


HANDLERS = {  # the current key first, then the name it had before Kafka 4.0 (KIP-1056)
    "deserialization": ("deserialization.exception.handler", "default.deserialization.exception.handler"),
    "production": ("production.exception.handler", "default.production.exception.handler"),
    "processing": ("processing.exception.handler",),
}


@dataclass(frozen=True)
class StreamsSeen:
    """What a Streams application's facts are derived from; its settings are read once."""

    app: StreamsApp
    estate: Estate

    @cached_property
    def view(self) -> ComponentView:
        return ComponentView("streams", self.app.settings, self.app.library_version)

    def handler(self, kind: str) -> Fact:
        return self.view.get(class_name, *HANDLERS[kind])

    def skips(self, kind: str) -> Fact:
        return handler_skips(self.view, kind, HANDLERS[kind], self.estate.streams_handlers)


GUARANTEES = one_of("at_least_once", "exactly_once", "exactly_once_beta", "exactly_once_v2")


def handler_skips(view: ComponentView, kind: str, keys: tuple[str, ...], handlers: tuple[StreamsHandler, ...]) -> Fact:
    """Whether the configured handler drops failed records: a handler Kafka ships by its name; a
    custom one by what its Java source, read in the same audit, returns; else unknown."""
    fact = view.get(skips, *keys)
    configured = view.get(text, *keys)
    if fact.value is not None or not isinstance(configured.value, str):
        return fact
    code = written_handler(configured.value.strip(), kind, handlers)
    if code is None:
        return fact
    origin = ConfigValue(
        configured.origin.key if configured.origin else keys[0],
        configured.value,
        ConfigSource.FILE,
        path=code.path,
        line=code.line,
        detail=f"{code.class_name} returns `{code.snippet}`",
    )
    return Fact(code.drops, origin)


def written_handler(name: str, kind: str, handlers: tuple[StreamsHandler, ...]) -> StreamsHandler | None:
    """The handler class a setting names, by its full name (a nested class as Outer$Inner too)."""
    wanted = name.replace("$", ".")
    return next((h for h in handlers if h.kind == kind and h.class_name == wanted), None)


def streams_subjects(estate: Estate) -> Iterator[Subject]:
    for app in estate.streams_apps:
        seen = StreamsSeen(app, estate)
        yield component_subject(Kind.STREAMS, app.name, app.path, STREAMS_FACTS.derive(seen), {}, seen.view.label)


Spec = FactSpec[StreamsSeen, Fact]
STREAMS_FACTS = FactTable(
    Spec(
        "application_id",
        "application.id (the consumer group and the prefix of the internal topics)",
        lambda a: a.view.get(text, "application.id"),
    ),
    Spec(
        "deserialization_handler",
        "the deserialization exception handler's class (simple name)",
        lambda a: a.handler("deserialization"),
    ),
    Spec(
        "production_handler",
        "the production exception handler's class (simple name)",
        lambda a: a.handler("production"),
    ),
    Spec(
        "processing_handler",
        "the processing exception handler's class (simple name; Kafka 4.0+)",
        lambda a: a.handler("processing"),
    ),
    Spec(
        "deserialization_skips",
        "true when the deserialization exception handler logs and continues; for a custom handler, "
        "what its Java source (read in the same audit) returns, else unknown",
        lambda a: a.skips("deserialization"),
    ),
    Spec(
        "production_skips",
        "true when the production exception handler continues; false for Kafka's default (fail); for "
        "a custom handler, what its Java source (read in the same audit) returns, else unknown",
        lambda a: a.skips("production"),
    ),
    Spec(
        "processing_skips",
        "true when the processing exception handler (Kafka 4.0+) logs and continues",
        lambda a: a.skips("processing"),
    ),
    Spec(
        "replication_factor",
        "effective replication.factor of the internal topics (-1: the brokers' default)",
        lambda a: replication_factor(a.view.get(parse_int, "replication.factor"), broker_default_rf(a.estate)),
    ),
    Spec(
        "processing_guarantee",
        "processing.guarantee: at_least_once, exactly_once_v2 (or the older exactly_once names)",
        lambda a: a.view.get(GUARANTEES, "processing.guarantee"),
    ),
)
STREAMS = component_kind(Kind.STREAMS, STREAMS_FACTS, streams_subjects)
