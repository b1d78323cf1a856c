"""The CLI's behaviour that needs no cluster: version, help, usage errors, unreachable."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

CLI = [sys.executable, "-m", "auditor"]


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, cwd="/")


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("kafka-audit ")


def test_help_lists_audit() -> None:
    done = run("--help")
    assert done.returncode == 0 and "audit" in done.stdout


def assert_one_line_error(done: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert done.returncode == code, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("kafka-audit: error: ") and text in lines[0]
    assert "Traceback" not in done.stderr


def test_unknown_flag_is_exit_2() -> None:
    assert_one_line_error(run("audit", "--bootstrap-server", "127.0.0.1:9", "--bogus"), 2, "--bogus")


def test_missing_bootstrap_is_exit_2() -> None:
    assert_one_line_error(run("audit"), 2, "--bootstrap-server")


def test_bad_fail_on_is_exit_2() -> None:
    assert_one_line_error(run("audit", "--bootstrap-server", "127.0.0.1:9", "--fail-on", "urgent"), 2, "--fail-on")


def test_bad_bootstrap_is_exit_2() -> None:
    assert_one_line_error(run("audit", "--bootstrap-server", "localhost"), 2, "HOST:PORT")


def test_missing_command_config_is_exit_2(tmp_path: Path) -> None:
    done = run("audit", "--bootstrap-server", "127.0.0.1:9", "--command-config", str(tmp_path / "nope.properties"))
    assert_one_line_error(done, 2, "nope.properties")


def test_unreachable_cluster_is_exit_3_within_timeout() -> None:
    """Bounded by --timeout: at most 10 s beyond twice what loading the CLI and kafka-python takes
    on this machine now (a fixed 15 s failed at load 30 on 2 cores, where importing kafka-python
    alone took 7 s of wall time for 0.2 s of CPU)."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import auditor.cli, kafka.admin"], check=True, cwd="/")
    start_up = time.monotonic() - started
    started = time.monotonic()
    done = run("audit", "--bootstrap-server", "127.0.0.1:9", "--timeout", "2")
    assert time.monotonic() - started < 2 * start_up + 10
    assert_one_line_error(done, 3, "127.0.0.1:9")
