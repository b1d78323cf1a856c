"""The command-line conventions scanner users expect, run as a user would (a subprocess):
short flags, `--output -`, case-insensitive severities, --select/--ignore globs, --topic/--group,
KAFKA_AUDIT_<OPTION> and KAFKA_BOOTSTRAP_SERVERS, policy discovery upward (.kafka-audit.yaml|yml,
pyproject.toml [tool.kafka-audit]), `init`, shell completion, help at 80 columns, the verdict on
stderr when every report goes to a file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.engine import load_rules
from auditor.policyfile import find_policy, load_policy

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
# A Java producer (kafka-clients ProducerConfig keys): PRD002 and PRD003 (idempotence silently off), both high.
PRODUCER = (
    "bootstrap.servers=broker1:9092\nacks=all\nretries=0\n"
    "key.serializer=org.apache.kafka.common.serialization.StringSerializer\n"
)


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_AUDIT_", "KAFKA_BOOTSTRAP"))}
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**clean, "COLUMNS": "100", **env},
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A scratch repository with one producer file two folders down."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc" / "conf").mkdir(parents=True)
    (tmp_path / "svc" / "conf" / "producer.properties").write_text(PRODUCER, encoding="utf-8")
    return tmp_path


def _rule_ids(done: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(f["rule_id"] for f in json.loads(done.stdout)["findings"])


def test_short_flags_and_output_dash_is_stdout(repo: Path) -> None:
    done = run("audit", "svc", "-f", "json", "-o", "-", cwd=repo)
    assert done.returncode == 1, done.stderr
    assert _rule_ids(done) == ["PRD002", "PRD003"]
    assert not (repo / "-").exists()


def test_quiet_prints_gating_first_lines_and_the_summary(repo: Path) -> None:
    done = run("audit", "svc", "-q", cwd=repo)
    lines = done.stdout.splitlines()
    assert "svc/conf/producer.properties:3  PRD002 high  Producer retries disabled" in lines
    assert not any(line.startswith("  fix:") for line in lines)
    assert any(line.startswith("FAIL  2 findings") for line in lines)


@pytest.mark.parametrize("flag", [("--min-severity", "HIGH"), ("--fail-on", "High"), ("--min-severity", " info ")])
def test_severities_are_case_insensitive(repo: Path, flag: tuple[str, str]) -> None:
    done = run("audit", "svc", *flag, "-f", "json", cwd=repo)
    assert done.returncode == 1, done.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--select", "PRD002"), ["PRD002"]),
        (("--select", "prd00*"), ["PRD002", "PRD003"]),
        (("--select", "producer-retries-zero,PRD003"), ["PRD002", "PRD003"]),
        (("--ignore", "PRD003"), ["PRD002"]),
        (("--select", "PRD*", "--ignore", "producer-idempotence-off"), ["PRD002"]),
        (("--ignore", "PRD00?"), []),
    ],
)
def test_select_and_ignore_rules_by_id_name_and_glob(repo: Path, args: tuple[str, ...], expected: list[str]) -> None:
    done = run("audit", "svc", "-f", "json", *args, cwd=repo)
    assert done.returncode in (0, 1), done.stderr
    assert _rule_ids(done) == expected


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--select", "XYZ*"), "--select 'XYZ*' matches no rule id or name"),
        (("--ignore", "nope"), "--ignore 'nope' matches no rule id or name"),
        (("--topic", "("), "--topic: invalid regex '('"),
        (("--group", "[a-"), "--group: invalid regex '[a-'"),
        # Python's re takes lookaround and backreferences; RE2, which policy files use too, does not
        (("--topic", "(?=pay)"), "--topic: invalid regex '(?=pay)'"),
        (("--group", r"(a)\1"), "--group: invalid regex '(a)\\\\1'"),
        (("--verbose", "--quiet"), "give --verbose or --quiet, not both"),
        (("--fail-on", "urgent"), "--fail-on must be one of"),
    ],
)
def test_bad_flags_are_one_line_usage_errors(repo: Path, args: tuple[str, ...], error: str) -> None:
    done = run("audit", "svc", *args, cwd=repo)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and error in done.stderr, done.stderr


def test_topic_regex_scopes_declared_topics() -> None:
    every = run("audit", "strimzi", "-f", "json", cwd=FIXTURES)
    scoped = run("audit", "strimzi", "-f", "json", "--topic", "^KafkaTopic/pay", cwd=FIXTURES)
    topics = {f["resource"]["name"] for f in json.loads(scoped.stdout)["findings"] if f["resource"]["kind"] == "topic"}
    assert topics == {"KafkaTopic/payments"}
    assert len(json.loads(every.stdout)["findings"]) > len(json.loads(scoped.stdout)["findings"])


def test_every_option_reads_its_environment_variable(repo: Path) -> None:
    done = run("audit", "svc", cwd=repo, KAFKA_AUDIT_FORMAT="json", KAFKA_AUDIT_FAIL_ON="never")
    assert done.returncode == 0, done.stderr
    assert _rule_ids(done) == ["PRD002", "PRD003"]
    flagged = run("audit", "svc", "--fail-on", "high", cwd=repo, KAFKA_AUDIT_FAIL_ON="never")
    assert flagged.returncode == 1  # the command line wins
    paired = run("audit", "svc", cwd=repo, KAFKA_AUDIT_FORMAT="json sarif", KAFKA_AUDIT_OUTPUT="a.json:-")
    assert json.loads(paired.stdout)["version"] == "2.1.0" and (repo / "a.json").is_file()


def test_kafka_bootstrap_servers_is_the_cluster_to_audit(repo: Path) -> None:
    done = run("audit", "--timeout", "1", cwd=repo, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1")
    assert done.returncode == 3, done.stderr
    assert "127.0.0.1:1" in done.stderr


def test_policy_is_found_upward_and_named_in_the_report(repo: Path) -> None:
    (repo / ".kafka-audit.yml").write_text("fail_on: never\n", encoding="utf-8")
    done = run("audit", "conf", cwd=repo / "svc")
    assert done.returncode == 0, done.stderr
    assert str(repo / ".kafka-audit.yml") in " ".join(done.stdout.split())


def test_pyproject_tool_table_is_a_policy(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.kafka-audit]\nfail_on = "never"\n\n[tool.kafka-audit.rules]\n'
        "PRD003 = {off = true}\n",
        encoding="utf-8",
    )
    done = run("audit", "conf", "-f", "json", cwd=repo / "svc")
    assert done.returncode == 0, done.stderr
    assert _rule_ids(done) == ["PRD002"]
    assert json.loads(done.stdout)["run"]["policy"] == str(repo / "pyproject.toml")


def test_discovery_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".kafka-audit.yaml").write_text("fail_on: never\n", encoding="utf-8")
    inner = tmp_path / "repo" / "sub"
    inner.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    assert find_policy(None, inner) is None
    (tmp_path / "repo" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_policy(None, inner) is None  # a pyproject without [tool.kafka-audit] is not a policy
    assert find_policy(None, tmp_path) == tmp_path / ".kafka-audit.yaml"


def test_two_policy_files_in_one_folder_is_an_error(repo: Path) -> None:
    (repo / ".kafka-audit.yaml").write_text("fail_on: high\n", encoding="utf-8")
    (repo / ".kafka-audit.yml").write_text("fail_on: never\n", encoding="utf-8")
    done = run("audit", "svc", cwd=repo)
    assert done.returncode == 2 and "keep one policy file" in done.stderr


def test_init_writes_a_starter_policy_that_loads_and_never_overwrites(tmp_path: Path) -> None:
    done = run("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = tmp_path / ".kafka-audit.yaml"
    text = written.read_text(encoding="utf-8")
    assert "extends: default" in text and "fail_on: high" in text and "# waivers:" in text
    policy = load_policy(written, load_rules())
    assert policy.fail_on == "high" and not policy.waivers
    again = run("init", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert written.read_text(encoding="utf-8") == text


EXAMPLE_SECTIONS = ("include", "exclude", "rules", "broker_defaults", "waivers")


def uncommented_examples(text: str) -> str:
    """The starter with every commented example section (`# rules:` and its indented lines) made live."""
    lines, live = [], False
    for line in text.splitlines():
        if line.startswith("# ") and line[2:].split(":")[0] in EXAMPLE_SECTIONS:
            live = True
        elif not line.startswith("#   "):
            live = False
        lines.append(line[2:] if live else line)
    return "\n".join(lines) + "\n"


def test_init_starter_shows_profile_fail_on_broker_defaults_and_a_waiver_that_all_load(tmp_path: Path) -> None:
    """Issue #14: the written starter names the profile it extends, fail_on, broker_defaults and an
    example waiver; with every example uncommented the written file still loads, and says what it shows."""
    assert run("init", cwd=tmp_path).returncode == 0
    written = tmp_path / ".kafka-audit.yaml"
    written.write_text(uncommented_examples(written.read_text(encoding="utf-8")), encoding="utf-8")
    policy = load_policy(written, load_rules())
    assert policy.fail_on == "high"
    assert {k: v.value for k, v in policy.broker_defaults.items()} == {
        "min.insync.replicas": "2",
        "unclean.leader.election.enable": "false",
    }
    (waiver,) = policy.waivers
    assert (waiver.rule_id, waiver.resource, waiver.kind, waiver.owner) == (
        "STO001",
        "audit-log",
        "topic",
        "team-platform",
    )
    assert policy.rules["STO006"].off is True and policy.include["topics"] == ("^orders", "^payments")
    text = written.read_text(encoding="utf-8")
    assert "\nextends: default\n" in text and "\nbroker_defaults:\n" in text and "\nwaivers:\n" in text


def test_verdict_goes_to_stderr_when_every_report_goes_to_a_file(repo: Path) -> None:
    done = run("audit", "svc", "-f", "json", "-o", "a.json", cwd=repo)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("kafka-audit: FAIL  2 findings: 2 high; exit 1 (fail-on high); wrote a.json")


def test_shell_completion_is_available(repo: Path) -> None:
    script = run("--show-completion", "bash", cwd=repo)
    assert "_KAFKA_AUDIT_COMPLETE=complete_bash" in script.stdout
    completed = run(
        cwd=repo, COMP_WORDS="kafka-audit audit --fail-o", COMP_CWORD="2", _KAFKA_AUDIT_COMPLETE="complete_bash"
    )
    assert set(completed.stdout.split()) == {"--fail-on", "--fail-on-gaps"}


def test_help_fits_80_columns_without_type_names() -> None:
    done = run("audit", "--help", cwd=FIXTURES, COLUMNS="80")
    assert done.returncode == 0
    assert "<bool>" not in done.stdout and "<list[Path]>" not in done.stdout
    flat = " ".join(done.stdout.split())
    assert "critical|high|medium|low|info|never" in flat
    assert "KAFKA_AUDIT_FAIL_ON" in flat and "KAFKA_BOOTSTRAP_SERVERS" in flat


def test_no_report_reads_a_cluster_before_its_flags_are_valid(repo: Path) -> None:
    done = run("audit", "-b", "127.0.0.1:1", "--select", "NOPE", "--timeout", "30", cwd=repo)
    assert done.returncode == 2 and "matches no rule" in done.stderr


def test_plan_takes_the_cluster_from_bootstrap_servers_in_the_command_config(repo: Path) -> None:
    """plan finds its cluster where audit does (one resolve_bootstrap), not only in --bootstrap-server."""
    config = repo / "client.properties"
    config.write_text("bootstrap.servers=127.0.0.1:1\nsecurity.protocol=PLAINTEXT\n", encoding="utf-8")
    done = run("plan", "--output-dir", "out", "--command-config", str(config), "--timeout", "1", cwd=repo)
    assert done.returncode == 3, done.stderr  # it tried that cluster; before: exit 2, "needs --bootstrap-server"
    assert "127.0.0.1:1" in done.stderr
