"""Bad files and bad flags end in one line on stderr and the documented exit code: never a
traceback, never exit 1 (which means findings), never unbounded memory (#11 points 3, 6, 14, 16).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRODUCER = "bootstrap.servers=kafka:9092\nacks=all\n"  # Kafka's config/producer.properties, trimmed

# The "billion laughs" of YAML: 10 levels of 9 aliases, under 500 bytes.
ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)


def run(folder: Path, *args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    limit = "ulimit -v 2000000; " if sys.platform.startswith("linux") else ""  # 2 GB: a bomb fails fast
    command = " ".join(["exec", sys.executable, "-m", "auditor", *(_quoted(a) for a in args)])
    return subprocess.run(
        ["bash", "-c", limit + command],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        cwd=folder,
        env=env,
    )


def _quoted(arg: str) -> str:
    return "'" + arg.replace("'", "'\"'\"'") + "'"


def one_line_error(done: subprocess.CompletedProcess[str], code: int, starts: str = "") -> str:
    assert done.returncode == code, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert len(done.stderr.splitlines()) == 1, done.stderr[-2000:]
    assert done.stderr.startswith(f"kafka-audit: error: {starts}"), done.stderr
    return done.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "producer.properties").write_text(PRODUCER)
    return tmp_path


@pytest.mark.parametrize("option", ["--policy", "--waivers", "--services"])
def test_yaml_alias_bomb_is_exit_2(folder: Path, option: str) -> None:
    (folder / "bomb.yaml").write_text(ALIAS_BOMB)
    assert len(ALIAS_BOMB) < 500
    error = one_line_error(run(folder, "audit", "producer.properties", option, "bomb.yaml"), 2, "bomb.yaml:")
    assert "YAML nodes once aliases are expanded" in error


@pytest.mark.parametrize("option", ["--policy", "--waivers", "--services"])
def test_deeply_nested_yaml_is_exit_2(folder: Path, option: str) -> None:
    (folder / "deep.yaml").write_text("[" * 10_000 + "]" * 10_000)
    one_line_error(run(folder, "audit", "producer.properties", option, "deep.yaml"), 2)


def test_duplicate_key_in_policy_is_exit_2_at_its_line(folder: Path) -> None:
    (folder / "policy.yaml").write_text("fail_on: high\ninternal_topics: true\nfail_on: never\n")
    error = one_line_error(run(folder, "audit", "producer.properties", "--policy", "policy.yaml"), 2)
    assert "policy.yaml:3: duplicate key 'fail_on' (first at line 1)" in error


@pytest.mark.parametrize(("option", "what"), [("--snapshot", "snapshot"), ("--baseline", "baseline")])
def test_deeply_nested_json_is_exit_2(folder: Path, option: str, what: str) -> None:
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    error = one_line_error(run(folder, "audit", "producer.properties", option, "deep.json"), 2)
    assert what in error


def test_deeply_nested_report_to_convert_is_exit_2(folder: Path) -> None:
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    one_line_error(run(folder, "report", "convert", "deep.json", "--format", "table"), 2)


@pytest.mark.parametrize("count", ["true", "1e100", "-1", "2147483648", '"3"'])
def test_baseline_count_that_is_no_count_is_exit_2(folder: Path, count: str) -> None:
    baseline = f'{{"format": "kafka-audit-baseline", "version": 1, "fingerprints": {{"ab": {{"count": {count}}}}}}}'
    (folder / "baseline.json").write_text(baseline)
    one_line_error(run(folder, "audit", "producer.properties", "--baseline", "baseline.json"), 2)


@pytest.mark.parametrize(
    "args",
    [
        ["--timeout", "inf"],
        ["--timeout", "1e300"],
        ["--timeout", "nan"],
        ["--samples", "2", "--sample-interval", "inf"],
    ],
)
def test_unbounded_durations_are_usage_errors(folder: Path, args: list[str]) -> None:
    one_line_error(run(folder, "audit", "--bootstrap-server", "127.0.0.1:1", *args), 2)


@pytest.mark.parametrize("port", ["²", "9" * 5000, "99999", "0", "65536", "-1", ""])
def test_bootstrap_port_out_of_range_is_exit_2_before_connecting(folder: Path, port: str) -> None:
    error = one_line_error(run(folder, "audit", "--bootstrap-server", f"localhost:{port}"), 2)
    assert "--bootstrap-server " in error and "invalid entry: expected HOST:PORT" in error
    assert len(error) < 300


def test_debug_keeps_the_exit_code_and_adds_the_traceback(folder: Path) -> None:
    done = run(folder, "--debug", "audit", "--bootstrap-server", "localhost:0")
    assert done.returncode == 2
    assert "Traceback" in done.stderr
    assert done.stderr.splitlines()[-1].startswith(
        "kafka-audit: error: --bootstrap-server 'localhost:0': invalid entry"
    )


def test_stdout_on_a_full_disk_is_exit_2_not_a_lost_report(folder: Path) -> None:
    with open("/dev/full", "w") as full:
        done = run(folder, "audit", "producer.properties", "--format", "json", stdout=full.fileno())
    one_line_error(done, 2, "cannot write output")


def test_stdout_closed_is_exit_2(folder: Path) -> None:
    done = subprocess.run(
        ["bash", "-c", f"exec {sys.executable} -m auditor audit producer.properties --format json >&-"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    one_line_error(done, 2, "cannot write output")


def test_report_json_is_valid_when_written(folder: Path) -> None:
    done = run(folder, "audit", "producer.properties", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["run"]["exit_code"] == 0
