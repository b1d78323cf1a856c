"""Reports are never lost and never overwrite what the run reads (#11 point 7).

Every output is checked before anything is read (a live cluster is not even asked); outputs may
not collide with each other or with an input; when a write still fails the other reports are
written, and every report written records the exit code the process returns.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.unit.test_hostile_inputs import one_line_error, run

# Kafka's config/producer.properties with the setting that loses messages (PRD001): exit 1.
UNSAFE_PRODUCER = "bootstrap.servers=kafka:9092\nacks=0\n"
THREE_REPORTS = ("-f", "json", "-o", "a.json", "-f", "sarif", "-o", "{middle}", "-f", "junit", "-o", "c.xml")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "producer.properties").write_text(UNSAFE_PRODUCER)
    return tmp_path


def three_reports(middle: str) -> list[str]:
    return [arg.format(middle=middle) for arg in THREE_REPORTS]


def test_the_audit_exits_1_with_its_three_reports(folder: Path) -> None:
    done = run(folder, "audit", "producer.properties", *three_reports("b.sarif"))
    assert done.returncode == 1, done.stderr
    assert json.loads((folder / "a.json").read_text())["run"]["exit_code"] == 1
    assert json.loads((folder / "b.sarif").read_text())["runs"][0]["invocations"][0]["exitCode"] == 1


def test_an_output_that_is_a_folder_is_refused_before_any_report_is_written(folder: Path) -> None:
    (folder / "reports").mkdir()
    error = one_line_error(run(folder, "audit", "producer.properties", *three_reports("reports")), 2)
    assert "--output reports is a folder" in error
    assert not (folder / "a.json").exists()
    assert not (folder / "c.xml").exists()


@pytest.mark.parametrize(
    ("middle", "says"),
    [("missing/b.sarif", "folder missing does not exist"), ("locked/b.sarif", "permission denied")],
)
def test_an_output_that_cannot_be_created_is_refused_first(folder: Path, middle: str, says: str) -> None:
    (folder / "locked").mkdir(mode=0o500)
    done = run(folder, "audit", "producer.properties", *three_reports(middle))
    if says == "permission denied" and done.returncode != 2 and _is_root():
        pytest.skip("root writes to any folder")
    assert says in one_line_error(done, 2)
    assert not (folder / "a.json").exists()


def test_a_live_cluster_is_not_asked_when_an_output_cannot_be_written(folder: Path) -> None:
    (folder / "out").mkdir()
    started = time.monotonic()
    done = run(folder, "audit", "-b", "127.0.0.1:1", "--timeout", "20", "-f", "json", "-o", "out")
    assert "is a folder" in one_line_error(done, 2)  # not 3 after the whole timeout
    assert time.monotonic() - started < 15


def test_a_snapshot_output_that_is_a_folder_is_refused_before_connecting(folder: Path) -> None:
    (folder / "out").mkdir()
    done = run(folder, "snapshot", "--bootstrap-server", "127.0.0.1:1", "--timeout", "20", "--output", "out")
    assert "--output out is a folder" in one_line_error(done, 2)


def test_a_write_that_fails_late_still_writes_the_others_with_the_process_exit_code(folder: Path) -> None:
    done = run(folder, "audit", "producer.properties", *three_reports("/dev/full"))
    error = one_line_error(done, 2, "cannot write /dev/full")
    assert "wrote a.json, c.xml, which record exit 2" in error
    assert json.loads((folder / "a.json").read_text())["run"]["exit_code"] == 2
    suite_exit_codes = {
        prop.get("value") for prop in ET.parse(folder / "c.xml").iter("property") if prop.get("name") == "exit_code"
    }
    assert suite_exit_codes == {"2"}


def test_stdout_on_a_full_disk_makes_the_file_reports_record_exit_2(folder: Path) -> None:
    with open("/dev/full", "w") as full:
        done = run(
            folder, "audit", "producer.properties", "-f", "table", "-f", "json", "-o", "a.json", stdout=full.fileno()
        )
    one_line_error(done, 2, "cannot write output")
    assert json.loads((folder / "a.json").read_text())["run"]["exit_code"] == 2


def test_the_json_report_on_stdout_is_the_file_report(folder: Path) -> None:
    """The JSON report goes to stdout's buffer as bytes, in pieces: the same report as the file
    one (but for the run's times), whole, indented on --pretty."""
    assert run(folder, "audit", "producer.properties", "-f", "json", "-o", "a.json").returncode == 1
    done = run(folder, "audit", "producer.properties", "-f", "json", "--pretty")
    assert done.returncode == 1
    on_stdout, in_file = json.loads(done.stdout), json.loads((folder / "a.json").read_text())
    for document in (on_stdout, in_file):
        del document["run"]["started_at"], document["run"]["duration_ms"]
    assert on_stdout == in_file
    assert done.stdout.startswith('{\n  "schema_version": 1,') and done.stdout.endswith("\n}\n")


def test_write_baseline_and_output_on_one_file_is_refused(folder: Path) -> None:
    baseline = '{"format": "kafka-audit-baseline", "version": 1, "fingerprints": {}}'
    (folder / "s.json").write_text(baseline)
    done = run(folder, "audit", "producer.properties", "--write-baseline", "s.json", "-f", "json", "-o", "s.json")
    assert "--write-baseline s.json is also --output" in one_line_error(done, 2)
    assert (folder / "s.json").read_text() == baseline


@pytest.mark.parametrize(
    ("flag", "name", "content"),
    [
        ("--snapshot", "snap.json", '{"not": "read"}'),
        ("--policy", "policy.yaml", "fail_on: high\n"),
        ("--waivers", "waivers.yaml", "waivers: []\n"),
        ("--services", "services.yaml", "services: []\n"),
        ("--baseline", "base.json", '{"format": "kafka-audit-baseline", "version": 1, "fingerprints": {}}'),
    ],
)
def test_an_output_over_an_input_file_is_refused(folder: Path, flag: str, name: str, content: str) -> None:
    (folder / name).write_text(content)
    paths = [] if flag == "--snapshot" else ["producer.properties"]
    done = run(folder, "audit", *paths, flag, name, "-f", "json", "-o", f"./{name}")
    assert f"is also the {flag} input" in one_line_error(done, 2)
    assert (folder / name).read_text() == content


def test_an_output_over_the_discovered_policy_or_an_audited_file_is_refused(folder: Path) -> None:
    (folder / ".kafka-audit.yaml").write_text("fail_on: high\n")
    (folder / "link.properties").symlink_to(folder / "producer.properties")
    done = run(folder, "audit", "producer.properties", "-f", "json", "-o", ".kafka-audit.yaml")
    assert "is also the --policy input" in one_line_error(done, 2)
    done = run(folder, "audit", "producer.properties", "-f", "json", "-o", "link.properties")
    assert "is also the PATH input" in one_line_error(done, 2)
    assert (folder / "producer.properties").read_text() == UNSAFE_PRODUCER


def test_report_convert_never_writes_over_the_report_it_reads(folder: Path) -> None:
    assert run(folder, "audit", "producer.properties", "-f", "json", "-o", "a.json").returncode == 1
    original = (folder / "a.json").read_text()
    done = run(folder, "report", "convert", "a.json", "-f", "sarif", "-o", "a.json")
    assert "is also the report input" in one_line_error(done, 2)
    assert (folder / "a.json").read_text() == original


def _is_root() -> bool:
    import os

    return os.geteuid() == 0
