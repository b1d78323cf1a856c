#!/usr/bin/env python3
"""A private PostgreSQL server for the outbox and unique-key integration tests.

    scripts/postgres-server install   # the Debian package, when no PostgreSQL is installed (root)
    scripts/postgres-server up        # initdb + start on 127.0.0.1:(KAFKA_AUDIT_PORT_BASE + 50)
    scripts/postgres-server url       # the test database URL (test credentials, made at initdb)
    scripts/postgres-server down      # stop it and delete its data

The server runs as the `postgres` user the Debian package creates (PostgreSQL refuses to run
as root), listens on localhost only, and requires a password (scram-sha-256) for the `auditor`
role, generated at initdb into the run folder (mode 600). tests/postgres_fixtures.py uses this
module; the Makefile's test set-up runs `install`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT_BASE = 19090
PORT_OFFSET = 50
USER = "auditor"
SERVICE_USER = "postgres"


def _bin_dir() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


def install() -> None:
    """Install the Debian package when no server binaries are there (needs root and apt-get)."""
    if _bin_dir() is not None:
        print(f"postgres-server: PostgreSQL found in {_bin_dir()}")
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit("postgres-server: PostgreSQL is not installed; install the 'postgresql' package (needs root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"], check=True, env=env)


@dataclass(frozen=True)
class Server:
    run_dir: Path
    port: int

    @classmethod
    def from_env(cls) -> Server:
        base = int(os.environ.get("KAFKA_AUDIT_PORT_BASE") or DEFAULT_PORT_BASE)
        run_dir = Path(os.environ.get("KAFKA_AUDIT_PG_DIR") or f"/tmp/kafka-audit-pg-{base + PORT_OFFSET}")
        return cls(run_dir, base + PORT_OFFSET)

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "data"

    @property
    def password_file(self) -> Path:
        return self.run_dir / "password"

    def url(self, database: str = "postgres") -> str:
        password = self.password_file.read_text().strip()
        return f"postgresql+psycopg://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def running(self) -> bool:
        bin_dir = _bin_dir()
        if bin_dir is None or not self.data_dir.is_dir():
            return False
        status = self._as_service_user([str(bin_dir / "pg_ctl"), "status", "-D", str(self.data_dir)], check=False)
        return status.returncode == 0

    def up(self) -> bool:
        """Start the server; False when it was already running (nothing to stop later)."""
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed: run `scripts/postgres-server install` (make test does)")
        if self.running():
            return False
        if not self.data_dir.is_dir():
            self._initdb(bin_dir)
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.run_dir}"
        start = [str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data_dir), "-o", options]
        self._as_service_user([*start, "-l", str(self.run_dir / "server.log")])
        self._wait_ready(bin_dir)
        return True

    def down(self) -> None:
        bin_dir = _bin_dir()
        if bin_dir is not None and self.running():
            self._as_service_user([str(bin_dir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data_dir)])
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def _initdb(self, bin_dir: Path) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.password_file.write_text(secrets.token_urlsafe(18) + "\n")
        self.password_file.chmod(0o600)
        if os.geteuid() == 0:
            shutil.chown(self.run_dir, SERVICE_USER)
            shutil.chown(self.password_file, SERVICE_USER)
        initdb = [str(bin_dir / "initdb"), "-D", str(self.data_dir), "-U", USER, "-A", "scram-sha-256"]
        self._as_service_user([*initdb, "--pwfile", str(self.password_file), "-E", "UTF8", "--no-sync"])

    def _wait_ready(self, bin_dir: Path, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        ready = [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)]
        while subprocess.run(ready, capture_output=True, check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not accept connections on port {self.port} in {timeout_s:.0f} s")
            time.sleep(0.2)

    @staticmethod
    def _as_service_user(command: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run as `postgres` when root (PostgreSQL refuses root), else as the current user."""
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {(result.stderr or result.stdout).strip()}")
        return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="postgres-server", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("install", "up", "down", "url", "status"))
    command = parser.parse_args().command
    if command == "install":
        install()
        return 0
    server = Server.from_env()
    if command == "up":
        started = server.up()
        print(f"postgres-server: {'started' if started else 'already running'} on 127.0.0.1:{server.port}")
    elif command == "down":
        server.down()
    elif command == "url":
        print(server.url())
    else:
        print("running" if server.running() else "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
