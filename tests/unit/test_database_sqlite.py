"""Outbox and unique-key checks on SQLite (no set-up), and databases that cannot be read."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from auditor.sources.database import read_databases
from tests import database_checks
from tests.database_checks import outbox_service
from tests.db_scenario import build


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, datetime]:
    path = tmp_path_factory.mktemp("db") / "app.db"
    url = f"sqlite:///{path}"
    return url, build(url)


def test_outbox_fresh_and_stale_rows(sqlite_db: tuple[str, datetime]) -> None:
    database_checks.check_outbox(*sqlite_db)


def test_unique_keys(sqlite_db: tuple[str, datetime]) -> None:
    database_checks.check_unique_keys(sqlite_db[0])


def test_reads_never_write(sqlite_db: tuple[str, datetime]) -> None:
    """The database is opened read-only: a file that does not exist is not created."""
    url, _ = sqlite_db
    path = Path(url.removeprefix("sqlite:///"))
    before = path.stat().st_mtime_ns
    missing = path.with_name("missing.db")
    read = read_databases((outbox_service(),), {"DB_URL": f"sqlite:///{missing}"})
    assert not missing.exists()
    assert read.outboxes[0].table_exists is None
    assert "unable to open database file" in read.gaps[0].reason
    database_checks.read_outbox(url, datetime.now().astimezone())
    assert path.stat().st_mtime_ns == before


def test_unset_variable_is_a_gap() -> None:
    read = read_databases((outbox_service(),), {})
    assert [(g.resource, g.reason) for g in read.gaps] == [
        ("outbox of service orders", "environment variable DB_URL (the database URL) is not set")
    ]


def test_unreachable_postgres_is_a_gap_without_the_password() -> None:
    url = "postgresql+psycopg://auditor:s3cret-pw@127.0.0.1:1/orders"
    read = read_databases((outbox_service(),), {"DB_URL": url}, timeout_s=2)
    (gap,) = read.gaps
    assert gap.reason.startswith("database from $DB_URL: ")
    assert "s3cret-pw" not in gap.reason + repr(read.targets)
    assert list(read.targets) == []  # never connected
    assert read.outboxes[0].table_exists is None


def test_statement_timeout_interrupts_a_long_query(tmp_path: Path) -> None:
    """SQLite has no statement_timeout: a progress handler interrupts a statement past its deadline."""
    path = tmp_path / "slow.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE outbox (id integer primary key, status text, created_at timestamp)")
        conn.executemany("INSERT INTO outbox (status, created_at) VALUES ('PENDING', '2020-01-01')", [()] * 2000)
    from auditor.sources.database import _sqlite_read_only

    conn = _sqlite_read_only(str(path), timeout_s=0.2)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        conn.execute("SELECT count(*) FROM outbox a, outbox b, outbox c").fetchone()


def test_database_checks_without_sqlalchemy_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.sources.database as database
    from auditor.errors import InputError

    monkeypatch.setattr(database, "_installed", lambda module: module != "sqlalchemy")
    expected = r"\(orders\): they need SQLAlchemy, the outbox extra: pip install 'kafka-audit\[outbox\]'"
    with pytest.raises(InputError, match=expected):
        read_databases((outbox_service(),), environ={})
    assert read_databases((), environ={}).gaps == []  # no database declared: nothing needed
