"""`--format F [--output PATH]` pairs, `--min-severity`, and `report convert` on saved JSON reports."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.findings import Severity
from auditor.report_cli import ReportRequest, option_order, pair_reports
from auditor.reports import OutputFormat, RenderOptions, render
from auditor.reports.load import load_report
from tests.report_fixtures import clean_result, full_result
from tests.report_schema import assert_valid_report

F = OutputFormat
VALUE_OPTIONS = {"--format", "--output", "--bootstrap-server", "--min-severity"}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], []),
        (["--format", "json"], [(F.JSON, None)]),
        (["--format", "json", "--output", "a.json", "--format", "table"], [(F.JSON, "a.json"), (F.TABLE, None)]),
        (
            ["--format=table", "--format", "sarif", "--output=a.sarif", "--bootstrap-server", "--output"],
            [(F.TABLE, None), (F.SARIF, "a.sarif")],
        ),
        (["--format", "junit", "--output", "j.xml", "--", "--format"], [(F.JUNIT, "j.xml")]),
    ],
)
def test_each_output_pairs_with_the_format_before_it(
    argv: list[str], expected: list[tuple[OutputFormat, str | None]]
) -> None:
    formats = [fmt for fmt, _ in expected]  # what click collected, in order
    outputs = [Path(path) for _, path in expected if path]
    requests = [ReportRequest(fmt, Path(path) if path else None) for fmt, path in expected]
    assert pair_reports(option_order(argv, VALUE_OPTIONS), formats, outputs) == (
        requests or [ReportRequest(F.TABLE, None)]
    )


@pytest.mark.parametrize(
    ("order", "formats", "outputs", "error"),
    [
        (["output", "format"], [F.JSON], [Path("a")], "--output must follow the --format"),
        (["format", "output", "output"], [F.JSON], [Path("a"), Path("b")], "--output must follow the --format"),
        (["format", "format"], [F.JSON, F.TABLE], [], "only one report can go to stdout"),
        (["format", "output", "format", "output"], [F.JSON, F.SARIF], [Path("a"), Path("a")], "two reports"),
    ],
)
def test_bad_pairs_are_usage_errors(order: list[str], formats: list[F], outputs: list[Path], error: str) -> None:
    with pytest.raises(InputError, match=error):
        pair_reports(order, formats, outputs)


@pytest.mark.parametrize("make", [full_result, clean_result], ids=["full", "clean"])
def test_json_round_trip_renders_every_format_identically(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "audit.json"
    saved.write_text(render(make(), F.JSON), encoding="utf-8")
    loaded = load_report(saved)
    # A waiver comes back as the text it was shown as (its kind and regex are not re-matched).
    assert replace(loaded, waivers=()) == replace(make(), waivers=())
    for fmt in F:
        assert render(loaded, fmt, RenderOptions(source_root="/r")) == render(
            make(), fmt, RenderOptions(source_root="/r")
        )


def test_min_severity_narrows_what_is_shown_never_the_exit_code() -> None:
    shown = full_result().shown(Severity.HIGH)
    assert {f.severity for f in shown.findings} == {Severity.CRITICAL, Severity.HIGH}
    assert {p.rule_id for p in shown.passes} == {"STO001", "STO002", "PRO001"}
    assert shown.exit_code == full_result().exit_code == 1
    document = json.loads(render(shown, F.JSON))
    assert_valid_report(document)
    assert document["run"]["min_severity"] == "high" and document["run"]["exit_code"] == 1


def kafka_audit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, text=True, timeout=60, cwd=cwd, check=False
    )


def test_convert_writes_several_formats_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "audit.json").write_text(render(full_result(), F.JSON), encoding="utf-8")
    done = kafka_audit(
        "report", "convert", "audit.json", "--format", "sarif", "--output", "a.sarif",
        "--format", "junit", "--output", "a.xml", "--format", "markdown", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    options = RenderOptions(source_root=str(tmp_path))
    assert (tmp_path / "a.sarif").read_text() == render(full_result(), F.SARIF, options)
    assert (tmp_path / "a.xml").read_text() == render(full_result(), F.JUNIT, options)
    assert done.stdout == render(full_result(), F.MARKDOWN)


def test_convert_table_is_plain_when_not_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "audit.json").write_text(render(full_result(), F.JSON), encoding="utf-8")
    done = kafka_audit("report", "convert", "audit.json", "--min-severity", "critical", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout and "STO001" in done.stdout and "STO002" not in done.stdout
    assert "showing critical and above" in done.stdout


@pytest.mark.parametrize(
    ("content", "args", "error"),
    [
        (None, (), "cannot read report missing.json"),
        ("{not json", (), "is not JSON"),
        ('{"version": "2.1.0", "runs": []}', (), "is not a kafka-audit JSON report"),
        (render(clean_result(), F.JSON), ("--format", "json", "--format", "table"), "only one report can go to stdout"),
        (render(clean_result(), F.JSON), ("--format", "pdf"), "pdf"),
        (render(clean_result(), F.JSON), ("--min-severity", "urgent"), "--min-severity"),
    ],
)
def test_convert_input_errors_are_one_line_exit_2(
    tmp_path: Path, content: str | None, args: tuple[str, ...], error: str
) -> None:
    name = "missing.json" if content is None else "audit.json"
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    done = kafka_audit("report", "convert", name, *args, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kafka-audit: error: ") and error in lines[0], done.stderr


def _on_a_terminal(args: list[str], cwd: Path, **env: str) -> str:
    """Run kafka-audit with stdout on a pseudo-terminal; return what it printed."""
    import os
    import pty

    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", *args],
        stdout=secondary,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
        env={**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, "TERM": "xterm-256color", **env},
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(primary)
    return b"".join(chunks).decode("utf-8", "replace")


def test_table_has_colour_on_a_terminal_unless_no_color_is_set(tmp_path: Path) -> None:
    (tmp_path / "audit.json").write_text(render(full_result(), F.JSON), encoding="utf-8")
    args = ["report", "convert", "audit.json"]
    assert "\x1b[" in _on_a_terminal(args, tmp_path)
    plain = _on_a_terminal(args, tmp_path, NO_COLOR="1")
    assert "\x1b[" not in plain and "STO001" in plain
