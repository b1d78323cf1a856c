"""Policy and waiver files for unit tests."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from auditor.engine import load_rules
from auditor.policyfile import Policy, load_policy


def write(tmp_path: Path, text: str, name: str = ".kafka-audit.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text).lstrip(), encoding="utf-8")
    return path


def policy(tmp_path: Path, text: str) -> Policy:
    return load_policy(write(tmp_path, text), load_rules())
