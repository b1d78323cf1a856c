"""Validate JSON reports against the schema that ships with the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

import auditor

SCHEMA = json.loads((Path(auditor.__file__).parent / "schemas" / "report.schema.json").read_text())


def assert_valid_report(document: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)
