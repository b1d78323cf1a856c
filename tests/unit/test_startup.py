"""Start-up stays cheap (#15): what an audit of a snapshot imports, and the collector settings the
console entry point gives every run. Run as a user would, in a fresh interpreter: a module one
test imported would hide another's import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from auditor.cli import COLLECTOR_THRESHOLDS
from auditor.sources.snapshot import write_snapshot
from tests.builders import snapshot, topic

# Imported only by the work that needs them: kafka-python to talk to a cluster (it loads its
# protocol schemas at import, 0.17 s CPU), jsonschema for rule packs other than the shipped ones
# and `kafka-audit schema` checks, rich for the wide terminal view, tree-sitter and the HCL parser
# for code and Terraform readers, the HTTP client for a Connect REST API, the fleet, connection
# settings and file readers when a fleet, a cluster or files are named; the Connect REST reader
# (and ssl with it) to decode a saved Connect cluster, a TOML parser for a pyproject.toml policy.
# pydantic never: typer 0.29 imported it to coerce every option (#15 E).
NOT_FOR_A_SNAPSHOT_TABLE = ("kafka", "jsonschema", "rich", "tree_sitter", "hcl2", "lark", "pydantic")
NOT_FOR_A_SNAPSHOT_MODULES = (
    "urllib.request",
    "http.client",
    "ssl",
    "tomllib",
    "auditor.sources.connect_rest",
    "auditor.fleet",
    "auditor.sources.connection",
    "auditor.sources.files",
    "auditor.sources.live",
)

RUN_CLI = """
import atexit, gc, json, sys
seen = sys.argv.pop()
def record():
    with open(seen, "w") as out:
        json.dump({"modules": sorted(sys.modules), "threshold": gc.get_threshold(),
                   "frozen": gc.get_freeze_count()}, out)
atexit.register(record)
sys.argv = ["kafka-audit", *sys.argv[1:]]
from auditor.cli import main
main()
"""


def run_cli(tmp_path: Path, *args: str) -> dict[str, object]:
    seen = tmp_path / "seen.json"
    done = subprocess.run([sys.executable, "-c", RUN_CLI, *args, str(seen)], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    recorded: dict[str, object] = json.loads(seen.read_text())
    return recorded


def snapshot_file(tmp_path: Path) -> Path:
    path = tmp_path / "snap.json"
    write_snapshot(snapshot(topic("orders", rf=1), topic("payments", partitions=3)), path)
    return path


def test_an_audit_of_a_snapshot_imports_neither_the_kafka_client_nor_the_schema_validator(tmp_path: Path) -> None:
    seen = run_cli(tmp_path, "audit", "--snapshot", str(snapshot_file(tmp_path)), "--format", "table")
    modules = seen["modules"]
    assert isinstance(modules, list) and "auditor.engine.evaluate" in modules  # it did audit
    loaded = sorted(m for m in modules if m.split(".")[0] in NOT_FOR_A_SNAPSHOT_TABLE)
    assert loaded == []
    assert [m for m in NOT_FOR_A_SNAPSHOT_MODULES if m in modules] == []


def test_every_run_freezes_the_imported_objects_and_collects_cycles_less_often(tmp_path: Path) -> None:
    seen = run_cli(tmp_path, "audit", "--snapshot", str(snapshot_file(tmp_path)), "--format", "table")
    threshold = seen["threshold"]
    assert isinstance(threshold, list) and tuple(threshold) == COLLECTOR_THRESHOLDS
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 10_000  # the CLI's modules, classes, functions
