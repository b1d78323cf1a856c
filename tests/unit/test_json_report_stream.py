"""The JSON report is written in pieces (findings and passes CHUNK at a time) and is byte for byte
the document dump_json encodes whole: compact, --pretty, and indented-when-small either side of
the size limit, with empty, partial and several chunks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from auditor import jsonfile
from auditor.findings import Location, Pass, Resource
from auditor.reports import RenderOptions, json_report
from auditor.reports.json_report import render_json, report_document, write_json
from auditor.result import AuditResult
from tests.report_fixtures import clean_result, full_result


def _streamed(result: AuditResult, pretty: bool | None) -> tuple[bytes, list[bytes]]:
    pieces: list[bytes] = []
    write_json(result, RenderOptions(pretty=pretty), lambda piece: pieces.append(bytes(piece)))
    return b"".join(pieces), pieces


def _many(result: AuditResult, copies: int) -> AuditResult:
    """`result` with its findings and passes repeated over `copies` topics (some with a location)."""
    findings = tuple(
        replace(finding, resource=Resource("topic", f"t{i}")) for i in range(copies) for finding in result.findings
    )
    passes = tuple(
        Pass(
            p.rule_id,
            Resource("topic", f"t{i}", "prod-eu" if i % 2 else None),
            p.location or Location(f"f{i % 3}.properties", i, None, "x"),
        )
        for i in range(copies)
        for p in result.passes
    )
    return replace(result, findings=findings, passes=passes)


@pytest.mark.parametrize("pretty", [True, False, None])
@pytest.mark.parametrize("chunk", [1, 2, 3, 10_000])
@pytest.mark.parametrize("make", [full_result, clean_result, lambda: replace(clean_result(), passes=(), findings=())])
def test_streamed_report_is_the_whole_document_encoded(
    monkeypatch: pytest.MonkeyPatch, pretty: bool | None, chunk: int, make: object
) -> None:
    monkeypatch.setattr(json_report, "CHUNK", chunk)
    result = make()  # type: ignore[operator]
    whole = jsonfile.dump_json(report_document(result), pretty)
    streamed, _ = _streamed(result, pretty)
    assert streamed == whole
    assert render_json(result, RenderOptions(pretty=pretty)) == whole.decode()


@pytest.mark.parametrize("pretty", [True, False, None])
def test_a_big_report_comes_in_pieces_and_is_compact_past_the_limit(
    monkeypatch: pytest.MonkeyPatch, pretty: bool | None
) -> None:
    monkeypatch.setattr(json_report, "CHUNK", 50)
    monkeypatch.setattr(jsonfile, "PRETTY_UP_TO_BYTES", 20_000)
    result = _many(full_result(), 200)
    whole = jsonfile.dump_json(report_document(result), pretty)
    streamed, pieces = _streamed(result, pretty)
    assert streamed == whole
    assert (b'\n  "passed": [\n' in streamed) is bool(pretty)
    assert max(len(p) for p in pieces) < len(whole) // 5, "no piece may hold most of the report"


def test_indented_when_small_holds_the_report_whole_only_under_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _many(full_result(), 20)
    compact = jsonfile.dump_json(report_document(result), False)
    size = len(compact) - 1  # the final newline is not counted
    monkeypatch.setattr(jsonfile, "PRETTY_UP_TO_BYTES", size - 1)
    assert _streamed(result, None)[0] == compact
    monkeypatch.setattr(jsonfile, "PRETTY_UP_TO_BYTES", size)
    assert _streamed(result, None)[0] == jsonfile.dump_json(report_document(result), True)
