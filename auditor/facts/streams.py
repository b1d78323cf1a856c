"""Facts of a Kafka Streams application's configuration (properties, spring.kafka.streams.*)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property

from auditor.facts.base import Fact, FactSpec, FactTable, Subject, parse_int
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

# Handlers Kafka ships (org.apache.kafka.streams.errors), by simple name: which handler they are,
# and True when they skip the record and go on, False when they stop.
SHIPPED: dict[str, tuple[str, bool]] = {
    "LogAndContinueExceptionHandler": ("deserialization", True),
    "LogAndFailExceptionHandler": ("deserialization", False),
    "LogAndContinueProcessingExceptionHandler": ("processing", True),
    "LogAndFailProcessingExceptionHandler": ("processing", False),
    "DefaultProductionExceptionHandler": ("production", False),
    "AlwaysContinueProductionExceptionHandler": ("production", True),
    "AlwaysFailProductionExceptionHandler": ("production", False),
}
INTERFACES = {
    "deserialization": "DeserializationExceptionHandler",
    "production": "ProductionExceptionHandler",
    "processing": "ProcessingExceptionHandler",
}


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
    custom one by what its Java source, read in the same audit, returns; else unknown. A handler
    of another kind (a deserialization handler named as the production handler) is unknown, and
    its origin says why: Kafka Streams does not start with it."""
    configured = view.get(text, *keys)
    name = configured.value
    if not isinstance(name, str):
        return Fact(None, configured.origin)
    shipped = SHIPPED.get(str(class_name(name)))
    code = written_handler(name, handlers)
    found = shipped[0] if shipped else code.kind if code else None
    if found is not None and found != kind:
        return Fact(None, wrong_kind(configured.origin, name, found, kind))
    if shipped is not None:
        return Fact(shipped[1], configured.origin)
    return _judged_by_code(configured, code) if code is not None else Fact(None, configured.origin)


def wrong_kind(origin: ConfigValue | None, name: str, found: str, kind: str) -> ConfigValue | None:
    if origin is None:
        return None
    simple = class_name(name)
    interface = INTERFACES[kind]
    problem = (
        f"{simple} is a {found} exception handler, not a {interface}: Kafka Streams fails when it "
        f"creates it ({simple} is not an instance of {interface})"
    )
    return replace(origin, detail=f"{origin.detail}; {problem}" if origin.detail else problem)


def _judged_by_code(configured: Fact, code: StreamsHandler) -> Fact:
    origin = ConfigValue(
        configured.origin.key if configured.origin else "",
        str(configured.value),
        ConfigSource.FILE,
        path=code.path,
        line=code.line,
        detail=f"{code.class_name} returns `{code.snippet}`",
    )
    return Fact(code.drops, origin)


def written_handler(name: str, handlers: tuple[StreamsHandler, ...]) -> StreamsHandler | None:
    """The handler class a setting names, by its full name (a nested class as Outer$Inner too)."""
    wanted = name.strip().replace("$", ".")
    return next((h for h in handlers if h.class_name == wanted), None)


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
        "true when the production exception handler continues (AlwaysContinueProductionExceptionHandler); "
        "false for Kafka's default (fail); for a custom handler, what its Java source (read in the same "
        "audit) returns, else unknown; unknown too when the class is another kind of handler (a "
        "deserialization handler: Kafka Streams does not start with it)",
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
        lambda a: replication_factor(
            a.view.get(parse_int, "replication.factor"),
            broker_default_rf(a.estate, a.app.settings.get("bootstrap.servers"), a.app.path),
        ),
    ),
    Spec(
        "processing_guarantee",
        "processing.guarantee: at_least_once, exactly_once_v2 (or the older exactly_once names)",
        lambda a: a.view.get(GUARANTEES, "processing.guarantee"),
    ),
)
STREAMS = component_kind(Kind.STREAMS, STREAMS_FACTS, streams_subjects)
