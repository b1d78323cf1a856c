"""Reports are pure functions (AuditResult, RenderOptions) -> str; the CLI writes them, formatters never print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from auditor.enums import StrEnum
from auditor.result import AuditResult


def assert_never(value: NoReturn) -> NoReturn:
    """typing.assert_never (3.11): mypy proves the line unreachable, so a missed member fails the lint."""
    raise AssertionError(f"unhandled value: {value!r}")


class OutputFormat(StrEnum):
    """The report formats. `extension` and `renderer` match every member: mypy fails on a new
    format that either forgets (assert_never)."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"
    MARKDOWN = "markdown"
    HTML = "html"

    @property
    def extension(self) -> str:
        """What a file of this format ends with: tests' golden files, sample reports, the GitHub action."""
        match self:
            case OutputFormat.TABLE:
                return "txt"
            case OutputFormat.JSON:
                return "json"
            case OutputFormat.SARIF:
                return "sarif"
            case OutputFormat.JUNIT:
                return "junit.xml"
            case OutputFormat.GITHUB:
                return "github.txt"
            case OutputFormat.MARKDOWN:
                return "md"
            case OutputFormat.HTML:
                return "html"
            case _:
                assert_never(self)


class Detail(StrEnum):
    """How much the terminal report says: --quiet, the default, --verbose."""

    QUIET = "quiet"
    NORMAL = "normal"
    VERBOSE = "verbose"


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may need beyond the result.

    `color`: ANSI styles (the terminal report). `source_root`: the repository root that file
    paths in reports are made relative to (None: paths as recorded). `working_dir`: the folder
    relative paths were given from; SARIF, GitHub and JUnit reports name files from the repository
    root through it (a file outside the root keeps its absolute path). `width`: the columns the
    terminal report wraps prose at. `detail`, `statistics` (counts per rule) and `wide` (the
    boxed table of earlier versions) shape the terminal report only. `pretty`: JSON formats
    indented (True), compact (False), or indented only when small (None).
    """

    color: bool = False
    source_root: str | None = None
    working_dir: str | None = None
    width: int = 100
    detail: Detail = Detail.NORMAL
    statistics: bool = False
    wide: bool = False
    pretty: bool | None = None


Renderer = Callable[[AuditResult, RenderOptions], str]


def renderer(fmt: OutputFormat) -> Renderer:
    """The format's renderer, imported on use so `kafka-audit --help` stays fast."""
    match fmt:
        case OutputFormat.TABLE:
            from auditor.reports.terminal import render_table

            return render_table
        case OutputFormat.JSON:
            from auditor.reports.json_report import render_json

            return render_json
        case OutputFormat.SARIF:
            from auditor.reports.sarif import render_sarif

            return render_sarif
        case OutputFormat.JUNIT:
            from auditor.reports.junit import render_junit

            return render_junit
        case OutputFormat.GITHUB:
            from auditor.reports.github import render_github

            return render_github
        case OutputFormat.MARKDOWN:
            from auditor.reports.markdown import render_markdown

            return render_markdown
        case OutputFormat.HTML:
            from auditor.reports.html import render_html

            return render_html
        case _:
            assert_never(fmt)


def render(result: AuditResult, fmt: OutputFormat, options: RenderOptions | None = None) -> str:
    return renderer(fmt)(result, options or RenderOptions())
