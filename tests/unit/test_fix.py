"""`audit PATH... --fix` and `--diff`: per format, fixture -> --fix -> the expected file -> audit clean.

The fixtures (tests/fixtures/fix/<format>/) follow public projects' shapes, named in each file;
tests/fixtures/fix-expected/ holds what --fix must make of them (comments, order, quoting and
indentation kept; only the judged values change).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.unit.test_cli_offline import CLI, assert_one_line_error, run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FORMATS = sorted(p.name for p in (FIXTURES / "fix").iterdir())
# what a file cannot fix: Strimzi's broker.rack is spec.kafka.rack (a rack awareness topology
# key), not a value to write
NOT_FIXABLE = {"strimzi": {"STO015"}}
# settings these files leave out of their map, failing under a cluster whose brokers default to
# min.insync.replicas=1 and unclean election on: added to the map (created when missing)
INSERTED = sorted(p.name for p in (FIXTURES / "fix-insert").iterdir())


def copy(fmt: str, tmp_path: Path) -> Path:
    target = tmp_path / fmt
    shutil.copytree(FIXTURES / "fix" / fmt, target)
    return target


def findings(folder: Path) -> set[str]:
    done = run("audit", str(folder), "--format", "json", "--exit-zero")
    return {f["rule_id"] for f in json.loads(done.stdout)["findings"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_fix_rewrites_each_format_to_the_expected_file_and_the_audit_is_clean(fmt: str, tmp_path: Path) -> None:
    folder = copy(fmt, tmp_path)
    assert findings(folder) - NOT_FIXABLE.get(fmt, set()), "the fixture must have something to fix"
    done = run("audit", str(folder), "--fix", "--format", "json", "--output", str(tmp_path / "after.json"))
    assert "kafka-audit: fixed" in done.stderr, done.stderr
    for expected in sorted((FIXTURES / "fix-expected" / fmt).rglob("*")):
        if expected.is_file():
            fixed = folder / expected.relative_to(FIXTURES / "fix-expected" / fmt)
            assert fixed.read_text() == expected.read_text(), fixed
    left = {f["rule_id"] for f in json.loads((tmp_path / "after.json").read_text())["findings"]}
    assert left == NOT_FIXABLE.get(fmt, set())
    again = run("audit", str(folder), "--diff")
    assert (again.returncode, again.stdout) == (0, ""), again.stderr


def test_diff_prints_what_fix_would_write_and_changes_nothing(tmp_path: Path) -> None:
    folder = copy("properties", tmp_path)
    before = {p.name: p.read_text() for p in folder.iterdir()}
    done = run("audit", str(folder), "--diff")
    assert done.returncode == 1, done.stderr
    assert f"--- a/{str(folder).lstrip('/')}/producer.properties" in done.stdout
    for line in (
        "-acks=1\n",
        "+acks=all\n",
        "+max.in.flight.requests.per.connection: 5\n",
        "+auto.offset.reset=earliest",
    ):
        assert line in done.stdout
    assert {p.name: p.read_text() for p in folder.iterdir()} == before


def test_values_from_placeholders_are_never_rewritten(tmp_path: Path) -> None:
    app = tmp_path / "application.properties"
    text = "spring.kafka.bootstrap-servers=kafka:9092\nspring.kafka.producer.acks=${KAFKA_ACKS:1}\n"
    app.write_text(text)
    done = run("audit", str(app), "--fix")
    assert app.read_text() == text
    assert f"not fixed: {app}:2 PRD001" in done.stderr
    assert "does not hold a literal acks value" in done.stderr


def test_an_identifier_in_code_is_not_a_literal(tmp_path: Path) -> None:
    code = tmp_path / "publisher.py"
    text = 'from kafka import KafkaProducer\nACKS = 1\np = KafkaProducer(bootstrap_servers="k:9092", acks=ACKS)\n'
    code.write_text(text)
    run("audit", str(code), "--fix")
    assert code.read_text() == text


def test_fix_flag_usage_errors(tmp_path: Path) -> None:
    assert_one_line_error(run("audit", str(tmp_path), "--fix", "--diff"), 2, "not both")
    assert_one_line_error(run("audit", "--snapshot", str(tmp_path / "s.json"), "--fix"), 2, "give them as PATH")


@pytest.fixture
def weak_defaults(tmp_path: Path) -> Path:
    """A snapshot of a cluster whose brokers default to min.insync.replicas=1 and unclean election on."""
    from auditor.sources.snapshot import write_snapshot
    from tests.builders import brokers, snapshot

    path = tmp_path / "cluster.json"
    weak = brokers(min_insync_replicas="1", unclean_leader_election_enable="true")
    write_snapshot(snapshot(broker_list=weak), path)
    return path


def file_findings(folder: Path, cluster: Path, *args: str) -> tuple[int, set[tuple[str, str]]]:
    done = run("audit", str(folder), "--snapshot", str(cluster), "--format", "json", "--exit-zero", *args)
    found = json.loads(done.stdout)["findings"]
    return done.returncode, {(f["rule_id"], f["resource"]["name"]) for f in found if f.get("location")}


@pytest.mark.parametrize("fmt", INSERTED)
def test_fix_adds_an_omitted_setting_to_its_map_keeping_the_file_as_written(
    fmt: str, tmp_path: Path, weak_defaults: Path
) -> None:
    folder = tmp_path / fmt
    shutil.copytree(FIXTURES / "fix-insert" / fmt, folder)
    _, before = file_findings(folder, weak_defaults)
    assert {rule for rule, _ in before} >= {"STO002", "STO004"}, before
    diff = run("audit", str(folder), "--snapshot", str(weak_defaults), "--diff")
    added = [line for line in diff.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert diff.returncode == 1 and any("min.insync.replicas" in line for line in added), diff.stdout
    done = run("audit", str(folder), "--snapshot", str(weak_defaults), "--fix", "--exit-zero")
    assert "kafka-audit: fixed" in done.stderr, done.stderr
    expected_root = FIXTURES / "fix-insert-expected" / fmt
    for expected in sorted(expected_root.rglob("*")):
        fixed = folder / expected.relative_to(expected_root)
        assert fixed.read_text() == expected.read_text(), fixed
    assert file_findings(folder, weak_defaults)[1] == set()
    again = run("audit", str(folder), "--snapshot", str(weak_defaults), "--diff")
    assert (again.returncode, again.stdout) == (0, ""), again.stderr


def test_an_omitted_setting_whose_place_is_unknown_is_reported_with_what_to_add(
    tmp_path: Path, weak_defaults: Path
) -> None:
    tf = tmp_path / "topics.tf"
    text = (
        'resource "kafka_topic" "orders" {\n  for_each = toset(["a", "b"])\n  name = each.key\n'
        "  replication_factor = 3\n  partitions = 3\n}\n"
    )
    tf.write_text(text)
    done = run("audit", str(tmp_path), "--snapshot", str(weak_defaults), "--fix")
    assert tf.read_text() == text
    assert "min.insync.replicas is not written in" in done.stderr and "add min.insync.replicas = 2" in done.stderr


def test_fix_finds_the_files_from_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "fix" / "properties", repo / "config")
    (repo / ".git").mkdir()
    (repo / "docs").mkdir()
    done = subprocess.run(
        [*CLI, "audit", "../config", "--fix", "--exit-zero"], capture_output=True, text=True, cwd=repo / "docs"
    )
    assert "kafka-audit: fixed" in done.stderr, done.stderr
    expected = FIXTURES / "fix-expected" / "properties" / "producer.properties"
    assert (repo / "config" / "producer.properties").read_text() == expected.read_text()


def test_finding_paths_are_located_absolute_relative_or_repository_relative(tmp_path: Path) -> None:
    from auditor.fix.locate import AuditedFiles

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "deploy" / "kafka").mkdir(parents=True)
    target = repo / "deploy" / "kafka" / "producer.properties"
    target.write_text("acks=1\n")
    elsewhere = tmp_path / "deploy" / "kafka" / "producer.properties"
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_text("acks=1\n")
    subfolder = repo / "services"
    subfolder.mkdir()
    audited = AuditedFiles(["../deploy"], cwd=subfolder)
    for written in (str(target), "../deploy/kafka/producer.properties", "deploy/kafka/producer.properties"):
        assert audited.locate(written) == str(target), written
    assert audited.locate("kafka/producer.properties") == str(target)  # relative to the PATH given
    assert audited.locate(str(elsewhere)) is None  # outside the audit's PATHs: never edited
    copies = AuditedFiles(["../deploy"], [str(tmp_path / "copy")], cwd=subfolder)
    assert copies.locate("deploy/kafka/producer.properties") == str(tmp_path / "copy" / "kafka" / "producer.properties")
