"""Regexes users write run in linear time (RE2), and what RE2 cannot take is exit 2 naming where.

`^([a-z]+-?)+$` against a name that almost matches is the textbook catastrophic-backtracking
pattern (OWASP's ReDoS page): Python's re takes seconds at 27 characters and doubles per
character after.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.errors import InputError
from auditor.userregex import compile_user_regex, user_regex
from tests.policy_builders import policy, write

EVIL = "^([a-z]+-?)+$"
REPO = Path(__file__).resolve().parents[2]


def test_catastrophic_pattern_scopes_a_long_name_at_once(tmp_path: Path) -> None:
    """Policy scoping and a waiver pattern, on names of 60 characters that almost match: a
    backtracking engine would need 2^60 steps; the subprocess's timeout is the hang guard."""
    script = textwrap.dedent(
        f"""
        from datetime import date
        from pathlib import Path
        from auditor.audit import AuditOptions, audit_estate
        from auditor.engine import load_rules
        from auditor.model import Estate
        from tests.builders import group, offset, snapshot, topic
        from tests.policy_builders import policy
        name = "a" * 60 + "_"
        groups = [group(name, offset(committed=1, log_start=5))]
        estate = Estate(cluster=snapshot(topic(name, min_isr="1"), groups=groups))
        tuned = policy(Path({str(tmp_path)!r}), '''
        include: {{topics: ["{EVIL}"], groups: ["{EVIL}"]}}
        waivers:
          - {{rule: STO002, resource_regex: "{EVIL}", reason: r, owner: o, expires: 2999-01-01}}
        ''')
        result = audit_estate(estate, (), load_rules(), AuditOptions(policy=tuned, today=date(2026, 6, 1)))
        print(len(result.findings))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"  # out of scope: nothing judged


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(orders)-\1", "invalid escape sequence"),
        ("(?=orders)", "invalid perl operator"),
        ("(?<!tmp-)orders", "invalid perl operator"),
        ("a{5000}", "invalid repetition size"),
        ("(", "missing )"),
    ],
)
def test_pattern_re2_cannot_take_is_exit_2_at_its_line(tmp_path: Path, pattern: str, reason: str) -> None:
    path = write(tmp_path, f"include:\n  topics:\n    - '{pattern}'\n")
    with pytest.raises(InputError) as raised:
        policy(tmp_path, path.read_text())
    message = str(raised.value)
    assert message.startswith(f"{path}:2: include.topics: invalid regex"), message
    assert reason in message and "RE2 syntax" in message


def test_waiver_pattern_is_checked_with_re2(tmp_path: Path) -> None:
    text = "waivers:\n  - {rule: STO002, resource_regex: '(?=x)', reason: r, owner: o, expires: 2999-01-01}\n"
    with pytest.raises(InputError, match=r"\.kafka-audit\.yaml:2: resource_regex: invalid regex"):
        policy(tmp_path, text)


def test_error_is_one_line_without_re2_log_on_stderr(tmp_path: Path) -> None:
    write(tmp_path, "include: {topics: ['(?=x)']}\n")
    (tmp_path / "producer.properties").write_text("bootstrap.servers=k:9092\nacks=all\n")
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "producer.properties"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "invalid regex" in done.stderr


def test_over_long_pattern_is_refused() -> None:
    with pytest.raises(InputError, match="longer than 1000 characters"):
        compile_user_regex("a" * 1001, "--topic")


@given(st.text(max_size=40), st.text(max_size=60))
def test_any_pattern_compiles_or_is_an_input_error(pattern: str, name: str) -> None:
    try:
        compiled = compile_user_regex(pattern, "p")
    except InputError as exc:
        assert str(exc).startswith("p: ")
        return
    assert compiled.search(name) in (True, False)
    assert user_regex(pattern).fullmatch(name) in (True, False)
