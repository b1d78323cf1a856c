"""The CLI's policy, waiver, baseline and catalog commands, offline on a snapshot file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.sources.snapshot import write_snapshot
from tests.builders import snapshot, topic
from tests.policy_builders import write

CLI = [sys.executable, "-m", "auditor"]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


@pytest.fixture
def snap(tmp_path: Path) -> Path:
    path = tmp_path / "snap.json"
    write_snapshot(snapshot(topic("orders", min_isr="1"), topic("clean")), path)
    return path


def audit_json(cwd: Path, snap: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = run(cwd, "audit", "--snapshot", str(snap), "--format", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def one_line_error(done: subprocess.CompletedProcess[str], text: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0] and "Traceback" not in done.stderr, done.stderr


def test_policy_in_working_folder_tunes_the_run(tmp_path: Path, snap: Path) -> None:
    code, _ = audit_json(tmp_path, snap)
    assert code == 1
    write(tmp_path, "rules:\n  min-insync-replicas: {severity: low}\n")
    code, document = audit_json(tmp_path, snap)
    assert code == 0
    assert document["run"]["policy"] == str(tmp_path / ".kafka-audit.yaml")
    code, _ = audit_json(tmp_path, snap, "--fail-on", "low")
    assert code == 1, "--fail-on on the command line wins over the policy"


def test_bad_policy_is_exit_2_with_file_and_line(tmp_path: Path, snap: Path) -> None:
    bad = write(tmp_path, "fail_on: high\nrules:\n  STO777: {off: true}\n", "bad.yaml")
    one_line_error(run(tmp_path, "audit", "--snapshot", str(snap), "--policy", str(bad)), f"{bad}:3: unknown rule")


def test_waivers_file_and_no_waivers(tmp_path: Path, snap: Path) -> None:
    waivers = write(
        tmp_path,
        "- {rule: STO002, resource: orders, reason: planned, owner: me, expires: 2999-01-01}\n",
        "waivers.yaml",
    )
    code, document = audit_json(tmp_path, snap, "--waivers", str(waivers))
    assert code == 0
    assert document["waivers"][0]["status"] == "applied"
    code, document = audit_json(tmp_path, snap, "--waivers", str(waivers), "--no-waivers")
    assert code == 1 and "waivers" not in document


def test_baseline_round_trip(tmp_path: Path, snap: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code, _ = audit_json(tmp_path, snap, "--write-baseline", str(baseline))
    assert code == 0 and baseline.is_file()
    code, document = audit_json(tmp_path, snap, "--baseline", str(baseline))
    findings = document["findings"]
    assert code == 0 and isinstance(findings, list) and all(f.get("baselined") for f in findings)
    one_line_error(
        run(tmp_path, "audit", "--snapshot", str(snap), "--baseline", str(snap)), "not a kafka-audit baseline"
    )


def test_samples_need_a_live_cluster(tmp_path: Path, snap: Path) -> None:
    one_line_error(run(tmp_path, "audit", "--snapshot", str(snap), "--samples", "3"), "--samples needs a live cluster")


def test_rules_list_and_show(tmp_path: Path) -> None:
    listed = run(tmp_path, "rules", "list", "--stage", "consume", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    ids = [r["id"] for r in json.loads(listed.stdout)]
    assert "GRP001" in ids and all(i[:3] in ("CON", "GRP", "IDM", "CNX", "STR", "MM2") for i in ids)
    table = run(tmp_path, "rules", "list")
    assert "STO013  offline-partition" in table.stdout
    by_name = run(tmp_path, "rules", "show", "offline-partition")
    by_id = run(tmp_path, "rules", "show", "sto013")
    assert by_name.returncode == 0 and by_name.stdout == by_id.stdout
    assert "on partition: has_leader = false" in by_name.stdout and "--unavailable-partitions" in by_name.stdout
    detail = json.loads(run(tmp_path, "rules", "show", "STO002", "--format", "json").stdout)
    assert [c["resource"] for c in detail["checks"]] == ["topic", "broker"]
    one_line_error(run(tmp_path, "rules", "show", "STO999"), "unknown rule 'STO999'")
    one_line_error(run(tmp_path, "rules", "list", "--stage", "storage"), "--stage must be one of")
