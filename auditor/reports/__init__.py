"""Reports are pure functions AuditResult -> str; the CLI writes them, formatters never print."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from auditor.result import AuditResult


class OutputFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


def renderer(fmt: OutputFormat) -> Callable[[AuditResult, bool], str]:
    """The renderer of a format; `color` applies to formats for people."""
    if fmt is OutputFormat.TABLE:
        from auditor.reports.table import render_table

        return render_table
    if fmt is OutputFormat.JSON:
        from auditor.reports.json_report import render_json

        return lambda result, color: render_json(result)
    raise AssertionError(f"format {fmt} has no renderer")


def render(result: AuditResult, fmt: OutputFormat, color: bool = False) -> str:
    return renderer(fmt)(result, color)
