"""`audit --snapshot` and the source flags, through the CLI, without a cluster."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.sources.snapshot import write_snapshot
from tests.builders import snapshot, topic
from tests.report_schema import assert_valid_report
from tests.unit.test_cli_offline import assert_one_line_error, run


def test_audit_of_a_snapshot_runs_offline(tmp_path: Path) -> None:
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(topic("orders", rf=1), topic("payments")), path)
    done = run("audit", "--snapshot", str(path), "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert_valid_report(report)
    assert report["targets"] == [{"kind": "snapshot", "name": str(path), "format": "kafka-audit-snapshot"}]
    named = {f["resource"]["name"] for f in report["findings"]}
    assert "orders" in named and not any(name.startswith("payments") for name in named)


def test_audit_needs_exactly_one_cluster_source(tmp_path: Path) -> None:
    both = run("audit", "--bootstrap-server", "127.0.0.1:9", "--snapshot", str(tmp_path / "x.json"))
    assert_one_line_error(both, 2, "either --bootstrap-server")
    assert_one_line_error(run("audit"), 2, "--bootstrap-server")


def test_invalid_snapshot_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "cluster.json"
    path.write_text('{"schema_version": 1}')
    assert_one_line_error(run("audit", "--snapshot", str(path)), 2, "not a kafka-audit snapshot")


def test_snapshot_command_needs_output() -> None:
    assert_one_line_error(run("snapshot", "--bootstrap-server", "127.0.0.1:9"), 2, "--output")


def test_snapshot_of_unreachable_cluster_is_exit_3(tmp_path: Path) -> None:
    out = tmp_path / "cluster.json"
    done = run("snapshot", "--bootstrap-server", "127.0.0.1:9", "--output", str(out), "--timeout", "2")
    assert_one_line_error(done, 3, "127.0.0.1:9")
    assert not out.exists()
