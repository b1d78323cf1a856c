"""Outbox and unique-key checks on a real PostgreSQL server (tests/postgres_fixtures.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from auditor.sources.database import read_databases
from tests import database_checks
from tests.database_checks import outbox_service
from tests.db_scenario import build

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "services"


@pytest.fixture(scope="module")
def scenario(postgres_url: str) -> Iterator[tuple[str, datetime]]:
    """A fresh database holding the scenario, dropped after the module."""
    name = f"audit_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url, build(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_outbox_fresh_and_stale_rows(scenario: tuple[str, datetime]) -> None:
    database_checks.check_outbox(*scenario)


def test_unique_keys(scenario: tuple[str, datetime]) -> None:
    database_checks.check_unique_keys(scenario[0])


def test_session_is_read_only_and_bounded(scenario: tuple[str, datetime]) -> None:
    """The connection the auditor opens refuses writes and cancels long statements."""
    from auditor.sources.database import _connection

    with _connection(scenario[0], timeout_s=1) as (conn, _):
        assert conn.execute(text("SHOW default_transaction_read_only")).scalar_one() == "on"
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "1s"
        with pytest.raises(Exception, match="read-only transaction"):
            conn.execute(text("DELETE FROM outbox"))
    with pytest.raises(Exception, match="statement timeout"), _connection(scenario[0], timeout_s=1) as (conn, _):
        conn.execute(text("SELECT pg_sleep(5)"))


def test_wrong_password_is_a_gap_that_never_shows_it(scenario: tuple[str, datetime]) -> None:
    url = make_url(scenario[0]).set(password="not-the-password-42").render_as_string(hide_password=False)
    read = read_databases((outbox_service(),), {"DB_URL": url})
    (gap,) = read.gaps
    assert "password authentication failed" in gap.reason and "not-the-password-42" not in gap.reason


def test_cli_outbox_and_idempotency_findings(scenario: tuple[str, datetime], tmp_path: Path) -> None:
    """kafka-audit audit --services on the real database: stale outbox rows, a unique key not enforced."""
    url = scenario[0]
    manifest = tmp_path / "services.yaml"
    manifest.write_text((FIXTURES / "services.yaml").read_text().replace("table: processed", "table: processed_plain"))
    for name in ("orders-producer.properties", "billing-consumer.properties"):
        (tmp_path / name).write_text((FIXTURES / name).read_text())
    env = {**os.environ, "ORDERS_DB_URL": url, "BILLING_DB_URL": url}
    run = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--services", str(manifest), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 1, run.stderr
    password = make_url(url).password
    assert password and password not in run.stdout + run.stderr
    report = json.loads(run.stdout)
    found = {(f["rule_id"], f["status"]): f for f in report["findings"]}
    assert "3 pending row(s) older than 300s" in found[("OUT002", "fail")]["actual"]
    assert found[("IDM001", "fail")]["resource"] == {"kind": "service", "name": "billing"}
    assert ("OUT001", "fail") not in found
    assert {t["kind"] for t in report["targets"]} >= {"database"}
