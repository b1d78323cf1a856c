"""The checks of auditor.sources.database on the scenario of tests/db_scenario.py, for any database URL.

tests/unit/test_database_sqlite.py runs them on SQLite, tests/integration/test_database_postgres.py
on a real PostgreSQL server.
"""

from __future__ import annotations

from datetime import datetime

from auditor.model import IdempotencyDeclaration, OutboxDeclaration, OutboxState, Service, UniqueKeyState
from auditor.sources.database import read_databases
from tests.db_scenario import STALE_AGE_S, STALE_ROWS
from tests.service_builders import at, consumer_service, producer_service


def outbox_service(table: str = "outbox", threshold_s: int = 300) -> Service:
    service = producer_service("orders")
    outbox = OutboxDeclaration("DB_URL", table, "status", "PENDING", "created_at", threshold_s, at(8))
    return Service(service.name, service.at, producer=service.producer, outbox=outbox)


def unique_service(table: str, column: str = "order_id") -> Service:
    service = consumer_service(f"c-{table}")
    assert service.consumer is not None
    idem = IdempotencyDeclaration("unique-key", table, column, "DB_URL", at(14))
    consumer = type(service.consumer)(service.consumer.config, "g", ("orders",), idem, at(11))
    return Service(service.name, service.at, consumer=consumer)


def read_outbox(url: str, now: datetime, **declared: object) -> OutboxState:
    read = read_databases((outbox_service(**declared),), {"DB_URL": url}, now=now)  # type: ignore[arg-type]
    assert not read.gaps, read.gaps
    (state,) = read.outboxes
    return state


def read_unique(url: str, table: str, column: str = "order_id") -> UniqueKeyState:
    read = read_databases((unique_service(table, column),), {"DB_URL": url})
    assert not read.gaps, read.gaps
    (state,) = read.unique_keys
    return state


def check_outbox(url: str, now: datetime) -> None:
    state = read_outbox(url, now)
    assert (state.table_exists, state.missing_columns, state.stale_pending) == (True, (), STALE_ROWS)
    assert state.oldest_pending_age_s is not None and abs(state.oldest_pending_age_s - STALE_AGE_S) <= 5
    assert read_outbox(url, now, threshold_s=3 * 3600).stale_pending == 0  # nothing pending is 3 h old
    assert read_outbox(url, now, table="no_such_table").table_exists is False
    assert read_outbox(url, now, table="outbox_no_status").missing_columns == ("status",)


def check_unique_keys(url: str) -> None:
    assert read_unique(url, "processed_unique").unique is True
    assert read_unique(url, "processed_pk").unique is True
    assert read_unique(url, "processed_plain").unique is False
    assert read_unique(url, "processed_composite").unique is False
    assert read_unique(url, "processed_plain", "no_column").column_exists is False
    assert read_unique(url, "no_such_table").table_exists is False
