"""Progress goes to stderr only when it is a terminal; --help and --version never load kafka-python."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from auditor.progress import terminal_progress


def test_no_progress_when_stderr_is_not_a_terminal() -> None:
    with terminal_progress() as progress:  # pytest captures stderr: not a terminal
        assert progress is None


def test_progress_on_a_terminal_names_the_step() -> None:
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "auditor", "audit", "--bootstrap-server", "127.0.0.1:9", "--timeout", "2"]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, timeout=60, check=False, cwd="/")
    os.close(follower)
    shown = b""
    try:
        while chunk := os.read(leader, 65536):
            shown += chunk
    except OSError:  # the terminal is closed once everything was read
        pass
    assert done.returncode == 3
    assert b"connecting to 127.0.0.1:9" in shown
    assert done.stdout == b""  # progress never goes to stdout, where reports go


def test_help_and_version_do_not_import_kafka_python() -> None:
    for flag in ("--help", "--version"):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "auditor", flag], capture_output=True, text=True, check=True
        )
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        assert not {name for name in imported if name == "kafka" or name.startswith("kafka.")}, flag
