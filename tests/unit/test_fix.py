"""`audit PATH... --fix` and `--diff`: per format, fixture -> --fix -> the expected file -> audit clean.

The fixtures (tests/fixtures/fix/<format>/) follow public projects' shapes, named in each file;
tests/fixtures/fix-expected/ holds what --fix must make of them (comments, order, quoting and
indentation kept; only the judged values change).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.unit.test_cli_offline import assert_one_line_error, run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FORMATS = sorted(p.name for p in (FIXTURES / "fix").iterdir())
# what a file cannot fix: Strimzi leaves auto.create.topics.enable out of spec.kafka.config (a
# YAML map kafka-audit does not insert into) and broker.rack is spec.kafka.rack, not a value
NOT_FIXABLE = {"strimzi": {"STO006", "STO015"}}


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
