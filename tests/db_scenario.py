"""One database scenario for the outbox and unique-key checks, built the same on SQLite and PostgreSQL.

- outbox: 2 fresh PENDING rows, 3 PENDING rows 2 hours old, 5 SENT rows 3 hours old
- outbox_no_status: an outbox table without the status column
- processed_unique: order_id UNIQUE; processed_pk: order_id PRIMARY KEY; processed_plain: no constraint;
  processed_composite: UNIQUE (tenant, order_id), which does not make order_id unique
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, text

STALE_ROWS = 3
STALE_AGE_S = 2 * 3600

DDL = [
    "CREATE TABLE outbox (id integer PRIMARY KEY, status varchar(16) NOT NULL, created_at timestamp NOT NULL,"
    " payload text)",
    "CREATE TABLE outbox_no_status (id integer PRIMARY KEY, created_at timestamp NOT NULL)",
    "CREATE TABLE processed_unique (id integer PRIMARY KEY, order_id varchar(64) NOT NULL UNIQUE)",
    "CREATE TABLE processed_pk (order_id varchar(64) PRIMARY KEY)",
    "CREATE TABLE processed_plain (id integer PRIMARY KEY, order_id varchar(64) NOT NULL)",
    "CREATE TABLE processed_composite (id integer PRIMARY KEY, tenant varchar(16), order_id varchar(64),"
    " UNIQUE (tenant, order_id))",
]


def build(url: str, now: datetime | None = None) -> datetime:
    """Create the scenario at `url` (tables must not exist); returns the 'now' the rows are aged from."""
    moment = now or datetime.now(timezone.utc)
    naive_now = moment.astimezone(timezone.utc).replace(tzinfo=None)
    rows = [("PENDING", naive_now - timedelta(seconds=30))] * 2
    rows += [("PENDING", naive_now - timedelta(seconds=STALE_AGE_S))] * STALE_ROWS
    rows += [("SENT", naive_now - timedelta(hours=3))] * 5
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in DDL:
            conn.execute(text(statement))
        for i, (status, created) in enumerate(rows, start=1):
            conn.execute(
                text("INSERT INTO outbox (id, status, created_at, payload) VALUES (:i, :s, :c, 'x')"),
                {"i": i, "s": status, "c": created},
            )
    engine.dispose()
    return moment
