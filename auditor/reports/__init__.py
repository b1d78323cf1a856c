"""Reports are pure functions (AuditResult, RenderOptions) -> str; the CLI writes them, formatters never print."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from auditor.result import AuditResult


class OutputFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"
    MARKDOWN = "markdown"
    HTML = "html"


class Detail(str, Enum):
    """How much the terminal report says: --quiet, the default, --verbose."""

    QUIET = "quiet"
    NORMAL = "normal"
    VERBOSE = "verbose"


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may need beyond the result.

    `color`: ANSI styles (the terminal report). `source_root`: the repository root that file
    paths in reports are made relative to (None: paths as recorded). `width`: the columns the
    terminal report wraps prose at. `detail`, `statistics` (counts per rule) and `wide` (the
    boxed table of earlier versions) shape the terminal report only.
    """

    color: bool = False
    source_root: str | None = None
    width: int = 100
    detail: Detail = Detail.NORMAL
    statistics: bool = False
    wide: bool = False


Renderer = Callable[[AuditResult, RenderOptions], str]

# Each format's renderer as "module:function", imported on use so `kafka-audit --help` stays fast.
RENDERERS: dict[OutputFormat, str] = {
    OutputFormat.TABLE: "auditor.reports.terminal:render_table",
    OutputFormat.JSON: "auditor.reports.json_report:render_json",
    OutputFormat.SARIF: "auditor.reports.sarif:render_sarif",
    OutputFormat.JUNIT: "auditor.reports.junit:render_junit",
    OutputFormat.GITHUB: "auditor.reports.github:render_github",
    OutputFormat.MARKDOWN: "auditor.reports.markdown:render_markdown",
    OutputFormat.HTML: "auditor.reports.html:render_html",
}


def renderer(fmt: OutputFormat) -> Renderer:
    module, _, name = RENDERERS[fmt].partition(":")
    function: Renderer = getattr(importlib.import_module(module), name)
    return function


def render(result: AuditResult, fmt: OutputFormat, options: RenderOptions | None = None) -> str:
    return renderer(fmt)(result, options or RenderOptions())
