"""Facts of a declared service: its transactional outbox and its idempotent processing, as the
databases show them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.facts.base import Fact, FactSpec, FactTable, Scope, Subject, SubjectKind, declared_location
from auditor.findings import Resource
from auditor.model import Estate, Kind, OutboxState, Service, UniqueKeyState


@dataclass(frozen=True)
class ServiceSeen:
    """What a declared service's facts are derived from: the declaration and what its databases show."""

    service: Service
    outbox: OutboxState | None
    key: UniqueKeyState | None


def _missing_columns(seen: ServiceSeen) -> Fact:
    outbox = seen.outbox
    return Fact(len(outbox.missing_columns) if outbox and outbox.table_exists else None)


def _idempotency(seen: ServiceSeen) -> Fact:
    idem = seen.service.consumer.idempotency if seen.service.consumer else None
    return Fact(idem.strategy if idem else "not declared")


def service_subjects(estate: Estate) -> Iterator[Subject]:
    outboxes = {o.service: o for o in estate.outboxes}
    unique = {u.service: u for u in estate.unique_keys}
    for service in estate.services:
        outbox = outboxes.get(service.name)
        key = unique.get(service.name)
        yield Subject(
            resource=Resource(Kind.SERVICE, service.name),
            scope=Scope(group=service.consumer.group if service.consumer else None),
            facts=SERVICE_FACTS.derive(ServiceSeen(service, outbox, key)),
            location=declared_location(service.at),
            context=_service_context(service, outbox.missing_columns if outbox else (), key),
        )


def _enforced(key: UniqueKeyState | None) -> bool | None:
    """False when the table or column is missing: nothing can enforce the key."""
    if key is None:
        return None
    if key.table_exists is False or key.column_exists is False:
        return False
    return key.unique if key.table_exists and key.column_exists else None


def _unique_key_problem(key: UniqueKeyState | None) -> str:
    if key is None or key.table_exists is None:
        return "the database could not be read"
    if not key.table_exists:
        return "the table does not exist"
    if not key.column_exists:
        return "the column does not exist"
    return "no primary key, unique constraint or unique index covers exactly that column" if not key.unique else "none"


def _service_context(service: Service, missing: tuple[str, ...], key: UniqueKeyState | None) -> dict[str, str]:
    outbox = service.outbox
    idem = service.consumer.idempotency if service.consumer else None
    return {
        "outbox_table": outbox.table if outbox else "none",
        "outbox_env": outbox.url_env if outbox else "none",
        "outbox_threshold_s": str(outbox.threshold_s) if outbox else "none",
        "outbox_missing_column_names": ", ".join(missing) or "none",
        "unique_key": f"{idem.table}.{idem.column}" if idem and idem.table else "none",
        "group": service.consumer.group if service.consumer else "none",
        "unique_key_problem": _unique_key_problem(key),
    }


Spec = FactSpec[ServiceSeen, Fact]
SERVICE_FACTS = FactTable(
    Spec("name", "the declared service", lambda s: Fact(s.service.name)),
    Spec("produces", "whether it declares a producer", lambda s: Fact(s.service.producer is not None)),
    Spec(
        "business_events",
        "whether its producer is marked as writing business events",
        lambda s: Fact(s.service.producer.business_events if s.service.producer else False),
    ),
    Spec("consumes", "whether it declares a consumer", lambda s: Fact(s.service.consumer is not None)),
    Spec("outbox_declared", "whether it declares a transactional outbox", lambda s: Fact(s.service.outbox is not None)),
    Spec(
        "outbox_table_exists",
        "whether the outbox table exists (unknown when the database could not be read)",
        lambda s: Fact(s.outbox.table_exists if s.outbox else None),
    ),
    Spec("outbox_missing_columns", "declared outbox columns the table lacks", _missing_columns),
    Spec(
        "outbox_stale_pending",
        "pending outbox rows older than the threshold",
        lambda s: Fact(s.outbox.stale_pending if s.outbox else None),
    ),
    Spec(
        "outbox_oldest_pending_age_s",
        "age in seconds of the oldest pending outbox row",
        lambda s: Fact(s.outbox.oldest_pending_age_s if s.outbox else None),
    ),
    Spec(
        "idempotency",
        "the consumer's declared idempotency strategy: unique-key, version-column, none, or 'not declared'",
        _idempotency,
    ),
    Spec(
        "unique_key_enforced",
        "unique-key: whether the column is a primary key or has a unique constraint or index",
        lambda s: Fact(_enforced(s.key)),
    ),
)

SERVICE = SubjectKind(
    name=Kind.SERVICE,
    facts=SERVICE_FACTS,
    context={
        "outbox_table": "the declared outbox table",
        "outbox_env": "the environment variable with the outbox database URL",
        "outbox_threshold_s": "the declared threshold in seconds",
        "outbox_missing_column_names": "the missing outbox columns",
        "unique_key": "the declared unique-key table.column",
        "group": "the consumer's group id",
        "unique_key_problem": "why the unique key is not enforced",
    },
    build=service_subjects,
)
