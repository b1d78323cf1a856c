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


def test_a_large_json_report_is_compact_unless_pretty_is_asked(tmp_path: Path) -> None:
    """Over 1 MB (here 500 topics: 11,000 passes) the report is one line; --pretty indents it."""
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(*(topic(f"t{i}", partitions=3) for i in range(500))), path)
    compact = run("audit", "--snapshot", str(path), "--format", "json")
    pretty = run("audit", "--snapshot", str(path), "--format", "json", "--pretty")
    assert compact.returncode == pretty.returncode == 0, compact.stderr
    assert len(compact.stdout) > 1_000_000 and compact.stdout.count("\n") == 1
    assert pretty.stdout.startswith('{\n  "schema_version": 1,')
    assert json.loads(compact.stdout)["passed"] == json.loads(pretty.stdout)["passed"]
    assert_valid_report(json.loads(compact.stdout))


def test_a_small_snapshot_is_indented_and_a_large_one_compact(tmp_path: Path) -> None:
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    write_snapshot(snapshot(topic("orders")), small)
    write_snapshot(snapshot(*(topic(f"t{i}", partitions=3) for i in range(3000))), large)
    write_snapshot(snapshot(*(topic(f"t{i}", partitions=3) for i in range(3000))), tmp_path / "p.json", pretty=True)
    assert small.read_text().startswith('{\n  "schema_version": 1')
    assert large.stat().st_size > 1_000_000 and large.read_text().count("\n") == 1
    assert json.loads(large.read_text()) == json.loads((tmp_path / "p.json").read_text())
