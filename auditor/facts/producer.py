"""Facts of a producer configuration read from a file, after client defaults."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.base import FactValue, Subject, SubjectKind, parse_int
from auditor.facts.clients import (
    ACKS,
    IN_FLIGHT,
    RETRIES,
    TRANSACTIONAL_ID,
    ClientView,
    Effective,
    client_context,
    client_subject,
    effective_idempotence,
    parse_acks,
    when_idempotent,
)
from auditor.model import Estate, Kind, Role


def producer_facts(view: ClientView) -> dict[str, Effective]:
    idempotence = effective_idempotence(view)
    linger = view.get("linger.ms", parse_int)
    request_timeout = view.get("request.timeout.ms", parse_int)
    transactional = view.config.settings.get(TRANSACTIONAL_ID)
    return {
        "acks": when_idempotent(view, ACKS, parse_acks, idempotence.value),
        "retries": when_idempotent(view, RETRIES, parse_int, idempotence.value),
        "idempotence": idempotence,
        "max_in_flight": when_idempotent(view, IN_FLIGHT, parse_int, idempotence.value),
        "delivery_timeout_ms": view.get("delivery.timeout.ms", parse_int),
        "has_delivery_timeout": Effective(view.has("delivery.timeout.ms"), request_timeout.origin),
        "linger_ms": linger,
        "request_timeout_ms": request_timeout,
        "min_delivery_timeout_ms": Effective(_sum(linger.value, request_timeout.value), request_timeout.origin),
        "transactional": Effective(True, transactional)
        if transactional is not None
        else Effective(False, view.synthesised(TRANSACTIONAL_ID, None, "not set")),
    }


def _sum(a: FactValue, b: FactValue) -> int | None:
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int) or not isinstance(b, int):
        return None
    return a + b


def producer_subjects(estate: Estate) -> Iterator[Subject]:
    for config in estate.clients:
        if Role.PRODUCER in config.roles:
            view = ClientView(config, Role.PRODUCER)
            yield client_subject(config, Kind.PRODUCER, producer_facts(view), view)


PRODUCER_FACTS = {
    "acks": "effective acks: all, 1 or 0 (-1 is all)",
    "retries": "effective retries",
    "idempotence": "effective idempotence, after the client's silent fallbacks",
    "max_in_flight": "effective max.in.flight.requests.per.connection",
    "delivery_timeout_ms": "effective delivery.timeout.ms",
    "has_delivery_timeout": "false for clients without delivery.timeout.ms (Java < 2.1, kafka-python < 2.2)",
    "linger_ms": "effective linger.ms",
    "request_timeout_ms": "effective request.timeout.ms",
    "min_delivery_timeout_ms": "linger.ms + request.timeout.ms: the least sensible delivery.timeout.ms",
    "transactional": "true when transactional.id is set",
}

PRODUCER = SubjectKind(
    name=Kind.PRODUCER, facts=PRODUCER_FACTS, context=client_context(PRODUCER_FACTS), build=producer_subjects
)
