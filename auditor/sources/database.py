"""The databases behind declared services: outbox tables and consumers' unique keys.

Read through SQLAlchemy Core, which gives one API for SQLite and PostgreSQL: schema
reflection (columns, primary keys, unique constraints and indexes) and dialect-correct
parameters. Every session is read-only and every statement bounded by a timeout: PostgreSQL
gets `default_transaction_read_only` and `statement_timeout` at connect time; SQLite is
opened with mode=ro (a missing file is an error, never a new empty database) and a progress
handler that interrupts a statement past its deadline.

Database URLs come only from the environment variables the manifest names; they are never
printed: targets and gaps show the URL with the password hidden, and an error message that
contains the password has it masked. A database that cannot be read is a coverage gap with
the reason, and the facts that needed it are unknown.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from auditor.errors import InputError
from auditor.model import CoverageGap, OutboxDeclaration, OutboxState, Service, Target, TargetKind, UniqueKeyState

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

TIMEOUT_S = 10.0
T = TypeVar("T")


@dataclass
class DatabasesRead:
    outboxes: list[OutboxState] = field(default_factory=list)
    unique_keys: list[UniqueKeyState] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    targets: dict[str, Target] = field(default_factory=dict)


class DatabaseUnreadable(Exception):
    """A database that could not be read; the message is safe to print."""


def read_databases(
    services: tuple[Service, ...],
    environ: Mapping[str, str] | None = None,
    timeout_s: float = TIMEOUT_S,
    now: datetime | None = None,
) -> DatabasesRead:
    """What each declared outbox table and unique key looks like in its database."""
    _require_sqlalchemy(services)
    reader = _Reader(os.environ if environ is None else environ, timeout_s)
    at = now or datetime.now(timezone.utc)
    for service in services:
        if service.outbox is not None:
            work = partial(_outbox_state, service=service.name, outbox=service.outbox, now=at)
            state = reader.run(service.outbox.url_env, f"outbox of service {service.name}", work)
            reader.read.outboxes.append(state or OutboxState(service.name, table_exists=None))
        idem = service.consumer.idempotency if service.consumer else None
        if idem is not None and idem.strategy == "unique-key" and idem.url_env and idem.table and idem.column:
            check = partial(_unique_key_state, service=service.name, table=idem.table, column=idem.column)
            key = reader.run(idem.url_env, f"unique key of service {service.name}", check)
            reader.read.unique_keys.append(key or UniqueKeyState(service.name, table_exists=None))
    return reader.read


OUTBOX_EXTRA = "pip install 'kafka-audit[outbox]'"


def _require_sqlalchemy(services: tuple[Service, ...]) -> None:
    """Database checks need SQLAlchemy, the `outbox` extra: say so (exit 2) before anything is read."""
    needing = [s.name for s in services if s.outbox is not None or _unique_key(s)]
    if needing and not _installed("sqlalchemy"):
        raise InputError(
            f"the services manifest declares database checks ({', '.join(needing)}): they need SQLAlchemy, "
            f"the outbox extra: {OUTBOX_EXTRA} (PostgreSQL: kafka-audit[postgresql])"
        )


def _unique_key(service: Service) -> bool:
    idem = service.consumer.idempotency if service.consumer else None
    return idem is not None and idem.strategy == "unique-key"


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class _Reader:
    def __init__(self, env: Mapping[str, str], timeout_s: float) -> None:
        self.env = env
        self.timeout_s = timeout_s
        self.read = DatabasesRead()

    def run(self, url_env: str, what: str, work: Callable[[Connection], T]) -> T | None:
        """`work(connection)` on the database of $url_env; on any failure a gap, and None."""
        url = self.env.get(url_env, "").strip()
        if not url:
            self.read.gaps.append(CoverageGap(what, f"environment variable {url_env} (the database URL) is not set"))
            return None
        try:
            with _connection(url, self.timeout_s) as (conn, target):
                self.read.targets.setdefault(target.name, target)
                return work(conn)
        except DatabaseUnreadable as exc:
            self.read.gaps.append(CoverageGap(what, f"database from ${url_env}: {exc}"))
            return None


@contextmanager
def _connection(url: str, timeout_s: float) -> Iterator[tuple[Connection, Target]]:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    password = None
    try:
        engine, target, password = _engine(url, timeout_s)
        with engine.connect() as conn:
            yield conn, target
    except (SQLAlchemyError, ArgumentError, NoSuchModuleError, ImportError, OSError, ValueError) as exc:
        raise DatabaseUnreadable(_safe_message(exc, password)) from exc


def _engine(url: str, timeout_s: float) -> tuple[Engine, Target, str | None]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    parsed = make_url(url)
    target = Target(TargetKind.DATABASE, parsed.render_as_string(hide_password=True), parsed.get_backend_name())
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:":
            raise ValueError("an SQLite outbox needs a database file, not an in-memory database")
        return (
            create_engine("sqlite://", creator=lambda: _sqlite_read_only(path, timeout_s), poolclass=NullPool),
            target,
            None,
        )
    if parsed.get_backend_name() == "postgresql":
        statement_ms = int(timeout_s * 1000)
        connect_args = {
            "connect_timeout": max(1, int(timeout_s)),
            "options": f"-c default_transaction_read_only=on -c statement_timeout={statement_ms}",
        }
        return create_engine(parsed, poolclass=NullPool, connect_args=connect_args), target, parsed.password
    raise ValueError(f"database {parsed.get_backend_name()!r} is not supported (sqlite, postgresql)")


def _sqlite_read_only(path: str, timeout_s: float) -> Any:
    import sqlite3
    from pathlib import Path

    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=timeout_s, check_same_thread=False)
    deadline = [0.0]

    def past_deadline() -> int:
        if not deadline[0]:
            deadline[0] = time.monotonic() + timeout_s
        return 1 if time.monotonic() > deadline[0] else 0  # non-zero interrupts the statement

    conn.set_progress_handler(past_deadline, 10_000)
    return conn


def _safe_message(exc: BaseException, password: str | None) -> str:
    text = " ".join(str(getattr(exc, "orig", None) or exc).split())
    if password:
        text = text.replace(password, "***")
    return text.split(" (Background on this error")[0] or type(exc).__name__


def _split(name: str) -> tuple[str | None, str]:
    schema, _, table = name.rpartition(".")
    return schema or None, table


def _outbox_state(conn: Connection, *, service: str, outbox: OutboxDeclaration, now: datetime) -> OutboxState:
    from sqlalchemy import MetaData, Table, func, inspect, select

    schema, name = _split(outbox.table)
    inspector = inspect(conn)
    if not inspector.has_table(name, schema=schema):
        return OutboxState(service, table_exists=False)
    columns = {c["name"] for c in inspector.get_columns(name, schema=schema)}
    missing = tuple(c for c in (outbox.status_column, outbox.created_at_column) if c not in columns)
    if missing:
        return OutboxState(service, table_exists=True, missing_columns=missing)
    table = Table(name, MetaData(), schema=schema, autoload_with=conn)
    status, created = table.c[outbox.status_column], table.c[outbox.created_at_column]
    pending = status == _typed(status.type, outbox.pending_value)
    aware = bool(getattr(created.type, "timezone", False))
    cutoff = now - timedelta(seconds=outbox.threshold_s)
    stale = conn.execute(
        select(func.count()).select_from(table).where(pending, created < (cutoff if aware else _naive(cutoff)))
    ).scalar_one()
    oldest = conn.execute(select(func.min(created)).where(pending)).scalar_one()
    return OutboxState(service, True, (), int(stale), _age_s(oldest, now))


def _typed(column_type: Any, value: str) -> Any:
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return value
    return int(value) if python_type is int and value.lstrip("-").isdigit() else value


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _age_s(oldest: Any, now: datetime) -> int | None:
    """Age of the oldest pending row; a timestamp without a zone is taken as UTC."""
    if oldest is None:
        return 0
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest)
    if not isinstance(oldest, datetime):
        return None
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return max(0, int((now - oldest).total_seconds()))


def _unique_key_state(conn: Connection, *, service: str, table: str, column: str) -> UniqueKeyState:
    from sqlalchemy import inspect

    schema, name = _split(table)
    inspector = inspect(conn)
    if not inspector.has_table(name, schema=schema):
        return UniqueKeyState(service, table_exists=False)
    if column not in {c["name"] for c in inspector.get_columns(name, schema=schema)}:
        return UniqueKeyState(service, table_exists=True, column_exists=False)
    keyed: list[list[str | None]] = [list(inspector.get_pk_constraint(name, schema=schema)["constrained_columns"])]
    keyed += [list(u["column_names"]) for u in inspector.get_unique_constraints(name, schema=schema)]
    # SQLite keeps column-level UNIQUE as an automatic index, which SQLAlchemy lists only on request.
    auto = {"include_auto_indexes": True} if conn.dialect.name == "sqlite" else {}
    indexes = inspector.get_indexes(name, schema=schema, **auto)
    keyed += [list(i["column_names"]) for i in indexes if i.get("unique")]
    return UniqueKeyState(service, True, True, any(cols == [column] for cols in keyed))
