"""Facts of a Kafka Streams application's configuration (properties, spring.kafka.streams.*)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.base import Fact, FactValue, Subject, parse_int
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
from auditor.model import Estate, Kind, StreamsApp

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


def streams_facts(app: StreamsApp, estate: Estate) -> dict[str, Fact]:
    view = ComponentView("streams", app.settings, app.library_version)
    rf = view.get(parse_int, "replication.factor")
    return {
        "application_id": view.get(text, "application.id"),
        **{f"{name}_handler": view.get(class_name, *keys) for name, keys in HANDLERS.items()},
        **{f"{name}_skips": view.get(skips, *keys) for name, keys in HANDLERS.items()},
        "replication_factor": replication_factor(rf, broker_default_rf(estate)),
        "processing_guarantee": view.get(
            one_of("at_least_once", "exactly_once", "exactly_once_beta", "exactly_once_v2"), "processing.guarantee"
        ),
    }


def streams_subjects(estate: Estate) -> Iterator[Subject]:
    for app in estate.streams_apps:
        label = ComponentView("streams", app.settings, app.library_version).label
        yield component_subject(Kind.STREAMS, app.name, app.path, streams_facts(app, estate), {}, label)


STREAMS_FACTS = {
    "application_id": "application.id (the consumer group and the prefix of the internal topics)",
    "deserialization_handler": "the deserialization exception handler's class (simple name)",
    "production_handler": "the production exception handler's class (simple name)",
    "processing_handler": "the processing exception handler's class (simple name; Kafka 4.0+)",
    "deserialization_skips": "true when the deserialization exception handler logs and continues; "
    "unknown for a custom handler",
    "production_skips": "true when the production exception handler continues; false for Kafka's default "
    "(fail); unknown for a custom handler",
    "processing_skips": "true when the processing exception handler (Kafka 4.0+) logs and continues",
    "replication_factor": "effective replication.factor of the internal topics (-1: the brokers' default)",
    "processing_guarantee": "processing.guarantee: at_least_once, exactly_once_v2 (or the older exactly_once names)",
}
STREAMS = component_kind(Kind.STREAMS, STREAMS_FACTS, streams_subjects)
