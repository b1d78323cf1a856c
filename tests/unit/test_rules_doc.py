"""docs/rules.md is generated from the YAML and must stay current."""

from __future__ import annotations

from pathlib import Path

from auditor.catalog import rules_markdown
from auditor.engine import load_rules

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_docs_rules_md_is_current() -> None:
    expected = rules_markdown(load_rules())
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale: run `python -m auditor.catalog > docs/rules.md`"
    )
