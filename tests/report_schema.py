"""Validate JSON reports against the schema that ships with the package."""

from __future__ import annotations

from typing import Any

import jsonschema

from auditor.reports.load import report_schema


def assert_valid_report(document: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(report_schema(), format_checker=jsonschema.FormatChecker()).validate(document)
