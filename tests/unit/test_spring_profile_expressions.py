"""Spring profile expressions (`prod & eu`, `(prod|staging) & eu`): judged with every profile they
need active, named after that set, never skipped; a malformed one is exit 2 at its line.

The documents follow the Spring Boot reference's multi-document example
("Activation Properties": spring.config.activate.on-profile: "prod & (eu-central | eu-west)").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.sources.files.spring import profile_expression
from auditor.sources.files.values import ParseError

BASE = """\
spring:
  kafka:
    bootstrap-servers: kafka:9092
    producer:
      acks: all
"""


def _audit(folder: Path, text: str) -> subprocess.CompletedProcess[str]:
    (folder / "application.yml").write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "application.yml", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )


def _profile_doc(expression: str, acks: str, extra: str = "") -> str:
    return (
        f'---\nspring:\n  config:\n    activate:\n      on-profile: "{expression}"\n'
        f'  kafka:\n    producer:\n      acks: "{acks}"\n{extra}'
    )


def _found(done: subprocess.CompletedProcess[str], rule: str) -> dict[str, str]:
    report = json.loads(done.stdout)
    return {f["location"]["profile"]: f["actual"] for f in report["findings"] if f["rule_id"] == rule}


def test_and_expression_is_judged_not_passed(tmp_path: Path) -> None:
    done = _audit(tmp_path, BASE + _profile_doc("prod & eu", "0", "      retries: 0\n"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert _found(done, "PRD001") == {"prod,eu": "0"}
    assert _found(done, "PRD002") == {"prod,eu": "0"}


@pytest.mark.parametrize(
    ("expression", "profiles"),
    [
        ("(prod|staging) & eu", {"prod,eu", "staging,eu"}),
        ("prod & (eu|us)", {"prod,eu", "prod,us"}),
        ("prod | eu", {"prod", "eu"}),
    ],
)
def test_each_way_to_activate_is_its_own_profile(tmp_path: Path, expression: str, profiles: set[str]) -> None:
    done = _audit(tmp_path, BASE + _profile_doc(expression, "1"))
    assert done.returncode == 1, done.stderr
    assert set(_found(done, "PRD001")) == profiles


def test_negated_profile_applies_to_the_profile_less_run(tmp_path: Path) -> None:
    done = _audit(tmp_path, BASE + _profile_doc("!prod", "0") + _profile_doc("prod", "all"))
    assert _found(done, "PRD001") == {None: "0"}


def test_documents_of_each_profile_layer_in_the_combined_run(tmp_path: Path) -> None:
    text = BASE + _profile_doc("prod", "all") + _profile_doc("eu", "all") + _profile_doc("prod & eu", "1")
    assert _found(_audit(tmp_path, text), "PRD001") == {"prod,eu": "1"}


@pytest.mark.parametrize("expression", ["prod & eu | us", "(prod", "prod &", "& prod", "prod)", "!", "()"])
def test_malformed_expression_is_exit_2_at_its_line(tmp_path: Path, expression: str) -> None:
    done = _audit(tmp_path, BASE + _profile_doc(expression, "0"))
    assert done.returncode == 2
    assert done.stderr.startswith("kafka-audit: error: application.yml:10: "), done.stderr
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("expression", "active", "expected"),
    [
        ("prod & eu", {"prod"}, False),
        ("prod & eu", {"prod", "eu"}, True),
        ("!(prod | staging)", {"dev"}, True),
        ("!(prod | staging)", {"staging"}, False),
        ("a & !(b | (c & d))", {"a", "c"}, True),
        ("a & !(b | (c & d))", {"a", "c", "d"}, False),
    ],
)
def test_expression_matches_as_spring_does(expression: str, active: set[str], expected: bool) -> None:
    assert profile_expression(expression).matches(active) is expected


def test_too_many_profiles_in_one_expression_is_refused() -> None:
    with pytest.raises(ParseError, match="more than 12 profiles"):
        profile_expression(" | ".join(f"p{i}" for i in range(13)))
