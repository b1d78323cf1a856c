"""Facts of a producer configuration read from a file, after client defaults."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.base import FactSpec, FactTable, FactValue, Subject, SubjectKind, parse_int
from auditor.facts.clients import (
    ACKS,
    IN_FLIGHT,
    RETRIES,
    TRANSACTIONAL_ID,
    ClientView,
    Effective,
    acks_refused,
    client_context,
    client_subject,
    effective_idempotence,
    in_flight_refused,
    parse_acks,
    retries_refused,
    transactional_refused,
    when_idempotent,
)
from auditor.model import Estate, Kind, Role


def _acks(view: ClientView) -> Effective:
    return when_idempotent(view, ACKS, parse_acks, effective_idempotence(view).value)


def _retries(view: ClientView) -> Effective:
    return when_idempotent(view, RETRIES, parse_int, effective_idempotence(view).value)


def _max_in_flight(view: ClientView) -> Effective:
    return when_idempotent(view, IN_FLIGHT, parse_int, effective_idempotence(view).value)


def _min_delivery_timeout(view: ClientView) -> Effective:
    request_timeout = view.get(REQUEST_TIMEOUT, parse_int)
    return Effective(_sum(view.get(LINGER, parse_int).value, request_timeout.value), request_timeout.origin)


def _transactional(view: ClientView) -> Effective:
    transactional = view.config.settings.get(TRANSACTIONAL_ID)
    if transactional is not None:
        return Effective(True, transactional)
    return Effective(False, view.synthesised(TRANSACTIONAL_ID, None, "not set"))


def _sum(a: FactValue, b: FactValue) -> int | None:
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int) or not isinstance(b, int):
        return None
    return a + b


def producer_subjects(estate: Estate) -> Iterator[Subject]:
    for config in estate.clients:
        if Role.PRODUCER in config.roles:
            view = ClientView(config, Role.PRODUCER)
            yield client_subject(config, Kind.PRODUCER, PRODUCER_FACTS.derive(view), view)


LINGER = "linger.ms"
REQUEST_TIMEOUT = "request.timeout.ms"
DELIVERY_TIMEOUT = "delivery.timeout.ms"

Spec = FactSpec[ClientView, Effective]
PRODUCER_FACTS = FactTable(
    Spec("acks", "effective acks: all, 1 or 0 (-1 is all)", _acks),
    Spec(
        "acks_refused",
        "true when the client refuses to start this idempotent producer for acks other than all "
        "(Java kafka-clients, librdkafka and kafka-python 2.2+ with explicit idempotence or a transactional.id, "
        "aiokafka, sarama, franz-go); "
        "false when acks itself is unknown",
        acks_refused,
    ),
    Spec("retries", "effective retries", _retries),
    Spec(
        "retries_refused",
        "true when the client refuses to start this idempotent or transactional producer for retries=0 "
        "(Java kafka-clients, librdkafka, kafka-python 2.2+, sarama, kafkajs, with explicit idempotence)",
        retries_refused,
    ),
    Spec("idempotence", "effective idempotence, after the client's silent fallbacks", effective_idempotence),
    Spec("max_in_flight", "effective max.in.flight.requests.per.connection", _max_in_flight),
    Spec(
        "in_flight_refused",
        "true when the client refuses to start this idempotent producer for its in-flight limit "
        "(Java kafka-clients and librdkafka above 5; sarama and franz-go's option above 1)",
        in_flight_refused,
    ),
    Spec("delivery_timeout_ms", "effective delivery.timeout.ms", lambda v: v.get(DELIVERY_TIMEOUT, parse_int)),
    Spec(
        "has_delivery_timeout",
        "false for clients without delivery.timeout.ms (Java < 2.1, kafka-python < 2.2) or where it is "
        "unlimited unless set (franz-go's RecordDeliveryTimeout); unknown then when options the reader "
        "cannot see may set it",
        lambda v: Effective(v.has(DELIVERY_TIMEOUT), v.get(REQUEST_TIMEOUT, parse_int).origin),
    ),
    Spec("linger_ms", "effective linger.ms", lambda v: v.get(LINGER, parse_int)),
    Spec("request_timeout_ms", "effective request.timeout.ms", lambda v: v.get(REQUEST_TIMEOUT, parse_int)),
    Spec(
        "min_delivery_timeout_ms",
        "linger.ms + request.timeout.ms: the least sensible delivery.timeout.ms",
        _min_delivery_timeout,
    ),
    Spec("transactional", "true when transactional.id is set", _transactional),
    Spec(
        "transactional_refused",
        "true when the client refuses to start this transactional producer because its idempotence is set off "
        "(Java kafka-clients, librdkafka, kafka-python 2.2+) or left off (sarama's Producer.Idempotent)",
        transactional_refused,
    ),
)

PRODUCER = SubjectKind(
    name=Kind.PRODUCER, facts=PRODUCER_FACTS, context=client_context(PRODUCER_FACTS), build=producer_subjects
)
