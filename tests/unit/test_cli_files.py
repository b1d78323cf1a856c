"""`kafka-audit audit PATH...` from the command line: exit codes, one-line errors, JSON locations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "files"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, text=True, timeout=120, cwd=FIXTURES
    )


def test_nothing_to_audit_is_exit_2() -> None:
    done = run("audit")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "kafka-audit: error: nothing to audit: give files or folders (PATH...), --bootstrap-server, --snapshot"
        " or --connect-url"
    )


def test_findings_fail_the_gate_with_file_locations() -> None:
    done = run("audit", "spring/application.yml", "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["targets"] == [{"kind": "file", "name": "spring/application.yml", "format": "spring"}]
    acks = next(f for f in report["findings"] if f["rule_id"] == "PRD001")
    assert acks["location"] == {"path": "spring/application.yml", "line": 27, "profile": "prod", "snippet": "acks: 1"}
    assert acks["resource"] == {"kind": "producer", "name": "spring/application.yml"}


def test_clean_file_exits_0() -> None:
    done = run("audit", "properties/clean-producer.properties", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["findings"] == []


def test_broken_file_is_one_line_exit_2_and_no_report() -> None:
    done = run("audit", "spring", "broken/broken.tf", "--format", "json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("kafka-audit: error: broken/broken.tf:2: invalid HCL")
    assert len(done.stderr.strip().splitlines()) == 1


def test_bad_file_format_and_client_are_exit_2() -> None:
    bad_format = run("audit", "spring", "--file-format", "xml")
    assert bad_format.returncode == 2 and "--file-format must be one of" in bad_format.stderr
    bad_client = run("audit", "spring", "--client", "java@banana")
    assert bad_client.returncode == 2 and "--client 'java@banana':" in bad_client.stderr
