"""sample-reports/ is real, current output: valid against the schema and what the formatters render today.

When this fails after a deliberate change: `make sample-reports` audits the demo cluster again
(needed when the JSON schema or the rules changed); `scripts/sample_reports.py --rerender`
re-renders the other formats from the committed audit.json (enough for formatter changes).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auditor.audit import rule_info
from auditor.engine import load_rules
from auditor.reports import OutputFormat, RenderOptions, render
from auditor.reports.json_report import rule_document
from auditor.reports.load import load_report
from tests.report_schema import assert_valid_report
from tests.sarif_validator import validation_problems

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "sample-reports"
STALE = "is stale: run `make sample-reports` (schema or rules changed) or `scripts/sample_reports.py --rerender`"


def sample_extensions() -> dict[str, str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample_reports", ROOT / "scripts" / "sample_reports.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    extensions: dict[str, str] = module.EXTENSIONS
    return extensions


EXTENSIONS = sample_extensions()


def test_there_is_a_sample_of_every_format() -> None:
    assert set(EXTENSIONS) == {f.value for f in OutputFormat}
    for extension in EXTENSIONS.values():
        assert (SAMPLES / f"audit.{extension}").is_file(), extension


def test_the_json_sample_matches_the_current_schema() -> None:
    document = json.loads((SAMPLES / "audit.json").read_text(encoding="utf-8"))
    assert_valid_report(document)
    assert document["findings"] and document["passed"] and document["rules"], "the demo audit found nothing"


def test_the_samples_were_made_with_the_shipped_rule_catalog() -> None:
    """A rule added, removed or reworded in rules/ without `make sample-reports` fails here."""
    document = json.loads((SAMPLES / "audit.json").read_text(encoding="utf-8"))
    shipped = [rule_document(rule_info(rule)) for rule in load_rules()]
    assert document["rules"] == shipped, f"audit.json {STALE}"


@pytest.mark.parametrize("fmt", [f for f in OutputFormat], ids=lambda f: f.value)
def test_every_sample_is_what_the_formatters_render_today(fmt: OutputFormat) -> None:
    result = load_report(SAMPLES / "audit.json")
    committed = (SAMPLES / f"audit.{EXTENSIONS[fmt.value]}").read_text(encoding="utf-8")
    assert committed == render(result, fmt, RenderOptions(source_root=str(ROOT))), (
        f"audit.{EXTENSIONS[fmt.value]} {STALE}"
    )


def test_sample_sarif_and_junit_counts_agree_with_the_json() -> None:
    document = json.loads((SAMPLES / "audit.json").read_text(encoding="utf-8"))
    (run,) = json.loads((SAMPLES / "audit.sarif").read_text(encoding="utf-8"))["runs"]
    assert len(run["results"]) == len(document["findings"])
    assert run["invocations"][0]["exitCode"] == document["run"]["exit_code"]
    junit = ET.parse(SAMPLES / "audit.junit.xml").getroot()
    gaps = len(document["coverage"]["gaps"])
    items = [i for s in document.get("checklist", {}).get("services", []) for i in s["items"]]  # a suite of its own
    # a checklist item that fails by findings is skipped there: each finding counts once
    unexplained = sum(1 for i in items if i["status"] in ("fail", "unknown") and not i.get("rules"))
    assert int(junit.get("tests", "-1")) == len(document["findings"]) + len(document["passed"]) + gaps + len(items)
    assert int(junit.get("failures", "-1")) == document["summary"]["by_status"].get("fail", 0) + unexplained


def test_sample_sarif_passes_microsoft_validator(tmp_path: Path) -> None:
    problems = validation_problems(SAMPLES / "audit.sarif", tmp_path)
    assert problems.get("error", []) == []
