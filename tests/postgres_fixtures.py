"""pytest plugin: a real PostgreSQL server for the database integration tests.

``postgres_url`` (session) is KAFKA_AUDIT_TEST_PG_URL when set, else the private server of
scripts/postgres_server.py: started when it is not running, stopped (and its data deleted) at
the end of the session when this session started it. `make test` installs the server first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPTS_DIR = Path(__file__).resolve().parents[1] / "scripts"
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from postgres_server import Server  # noqa: E402  (lives in scripts/, not in a package)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    given = os.environ.get("KAFKA_AUDIT_TEST_PG_URL")
    if given:
        yield given
        return
    server = Server.from_env()
    started = server.up()
    try:
        yield server.url()
    finally:
        if started:
            server.down()
