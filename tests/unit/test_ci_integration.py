"""The GitHub action's audit step and the pre-commit hook, run for real on a snapshot (no cluster)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from auditor.sources.snapshot import write_snapshot
from tests.builders import snapshot, topic
from tests.report_schema import assert_valid_report

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "github-action.sh"


def run_action(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    outputs, summary = tmp_path / "github_output", tmp_path / "summary.md"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        **{f"KA_{name.upper()}": value for name, value in inputs.items()},
    }
    done = subprocess.run(["bash", str(SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return done, written


@pytest.fixture
def cluster_snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(topic("orders", rf=1, min_isr="1"), topic("payments")), path)
    return path


def test_action_writes_reports_annotations_summary_and_the_exit_code(tmp_path: Path, cluster_snapshot: Path) -> None:
    done, outputs = run_action(
        tmp_path, snapshot=str(cluster_snapshot), formats="sarif, json,junit,github", output_dir="out"
    )
    assert done.returncode == 0, done.stderr  # the step itself succeeds; the gate step uses exit-code
    assert outputs == {"report-dir": "out", "sarif-file": "out/kafka-audit.sarif", "exit-code": "1"}
    report = json.loads((tmp_path / "out" / "kafka-audit.json").read_text())
    assert_valid_report(report)
    sarif = json.loads((tmp_path / "out" / "kafka-audit.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == len(report["findings"]) > 0
    assert (tmp_path / "out" / "kafka-audit.junit.xml").read_text().startswith("<?xml")
    assert re.search(r"^::error title=STO001 ", done.stdout, re.MULTILINE)
    assert (tmp_path / "summary.md").read_text().startswith("## kafka-audit: ")


def test_action_audits_configuration_paths(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "producer.properties").write_text("bootstrap.servers=kafka:9092\nacks=1\n")
    done, outputs = run_action(tmp_path, paths="config", formats="sarif")
    assert outputs["exit-code"] == "1", done.stdout
    assert "::error file=config/producer.properties,line=2,title=PRD001 " in done.stdout
    sarif = json.loads((tmp_path / "kafka-audit-reports" / "kafka-audit.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert "config/producer.properties" in uris


def test_action_passes_fail_on_and_min_severity_through(tmp_path: Path, cluster_snapshot: Path) -> None:
    _, outputs = run_action(tmp_path, snapshot=str(cluster_snapshot), formats="json", fail_on="never",
                            min_severity="critical")  # fmt: skip
    assert outputs["exit-code"] == "0" and "sarif-file" not in outputs
    report = json.loads((tmp_path / "kafka-audit-reports" / "kafka-audit.json").read_text())
    assert report["run"]["min_severity"] == "critical"
    assert {f["severity"] for f in report["findings"]} == {"critical"}


def test_action_passes_the_baseline_through(tmp_path: Path, cluster_snapshot: Path) -> None:
    baseline = tmp_path / "baseline.json"
    kafka_audit = Path(sys.executable).parent / "kafka-audit"
    written = subprocess.run(
        [str(kafka_audit), "audit", "--snapshot", str(cluster_snapshot), "--write-baseline", str(baseline)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert written.returncode == 0, written.stderr
    done, outputs = run_action(tmp_path, snapshot=str(cluster_snapshot), baseline=str(baseline), formats="json")
    assert outputs["exit-code"] == "0", done.stdout  # every finding is in the baseline: shown, not gating
    report = json.loads((tmp_path / "kafka-audit-reports" / "kafka-audit.json").read_text())
    assert report["findings"] and all(f.get("baselined") for f in report["findings"])


def test_action_reports_usage_errors_as_exit_2_and_uploads_nothing_stale(tmp_path: Path) -> None:
    stale = tmp_path / "kafka-audit-reports" / "kafka-audit.sarif"
    stale.parent.mkdir()
    stale.write_text("{}")
    done, outputs = run_action(tmp_path, snapshot=str(tmp_path / "missing.json"), formats="sarif")
    assert outputs["exit-code"] == "2" and "sarif-file" not in outputs and not stale.exists()
    done, outputs = run_action(tmp_path, formats="pdf")
    assert outputs["exit-code"] == "2" and "unknown format 'pdf'" in done.stdout


def test_action_yml_declares_every_input_it_uses() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    text = (ROOT / "action.yml").read_text()
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used == set(action["inputs"])
    script_vars = set(re.findall(r"KA_[A-Z_]+", SCRIPT.read_text()))
    step_env = next(step["env"] for step in action["runs"]["steps"] if step.get("id") == "audit")
    assert script_vars == set(step_env)


HOOK_FILES = [
    ("config/producer.properties", True),
    ("client.properties", True),
    ("etc/kafka/server.properties", True),
    ("src/main/resources/application.properties", True),
    ("src/main/resources/log4j.properties", False),
    ("src/main/resources/application-prod.yml", True),
    ("docker-compose.yml", True),
    ("deploy/compose.yaml", True),
    ("infra/topics.tf", True),
    ("k8s/strimzi/kafka-topics.yaml", True),
    ("librdkafka.json", True),
    ("README.md", False),
    ("src/Main.java", False),
    ("package.json", False),
]


@pytest.mark.parametrize(("path", "audited"), HOOK_FILES)
def test_pre_commit_hook_selects_kafka_config_files(path: str, audited: bool) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert bool(re.search(hook["files"], path)) is audited
    assert hook["entry"].split()[:2] == ["kafka-audit", "audit"] and hook["pass_filenames"] is True


def test_pre_commit_hook_entry_gates_the_files_it_is_given(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (tmp_path / "producer.properties").write_text("bootstrap.servers=kafka:9092\nacks=1\n")
    (tmp_path / "application.properties").write_text("server.port=8080\n")
    entry = [str(Path(sys.executable).parent / hook["entry"].split()[0]), *hook["entry"].split()[1:]]
    bad = subprocess.run([*entry, "producer.properties"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "PRD001" in bad.stdout and "producer.properties:2" in bad.stdout, bad.stderr
    fine = subprocess.run([*entry, "application.properties"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert fine.returncode == 0, fine.stderr


def test_readme_ci_snippets_install_this_release_and_invent_no_repository() -> None:
    import auditor

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    installs = re.findall(r"pip install \"(kafka-audit[^\"]*)\"", readme)
    assert installs and set(installs) == {f"kafka-audit=={auditor.__version__}"}
    assert "OWNER" not in readme and "git+https://github.com" not in readme
    tags = set(re.findall(r"(?:@|rev: )(v\d+\.\d+\.\d+)", readme))
    assert tags == {f"v{auditor.__version__}"}
