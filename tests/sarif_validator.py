"""Microsoft's SARIF validator (npm @microsoft/sarif-multitool), installed by `make sarif-tool`.

Tests run it when it is installed; under CI (CI set) a missing validator fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALL_DIR = ROOT / ".tools" / "sarif" / "node_modules" / "@microsoft"


def validator() -> Path | None:
    """The native Sarif.Multitool binary (called directly: the npm bin wrapper runs it through a shell)."""
    configured = os.environ.get("SARIF_MULTITOOL")
    if configured:
        return Path(configured)
    found = sorted(INSTALL_DIR.glob("sarif-multitool-*/Sarif.Multitool"))
    return found[0] if found else None


def require_validator() -> Path:
    tool = validator()
    if tool is not None:
        return tool
    message = "SARIF validator not installed: run `make sarif-tool` (npm install @microsoft/sarif-multitool)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def validation_problems(sarif_file: Path, work_dir: Path) -> dict[str, list[str]]:
    """Run `Sarif.Multitool validate` with the SARIF and GitHub ingestion rules; its results by level."""
    out = work_dir / f"{sarif_file.name}.validation.sarif"
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [str(require_validator()), "validate", "--rule-kind", "Sarif;Gh", "--output", str(out), str(sarif_file)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.exists(), f"validator wrote no log (exit {done.returncode}): {done.stdout[-2000:]}"
    (run,) = json.loads(out.read_text(encoding="utf-8"))["runs"]
    assert run["invocations"][0]["executionSuccessful"], done.stdout[-2000:]
    defaults = {r["id"]: r.get("defaultConfiguration", {}).get("level", "warning") for r in _rules(run)}
    problems: dict[str, list[str]] = {}
    for result in run.get("results", []):
        level = result.get("level") or defaults.get(result["ruleId"], "warning")
        arguments = result["message"].get("arguments", [])
        problems.setdefault(level, []).append(f"{result['ruleId']} {' '.join(map(str, arguments))}")
    return problems


def _rules(run: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = run["tool"]["driver"].get("rules", [])
    return rules
