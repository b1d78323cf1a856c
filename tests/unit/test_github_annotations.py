"""GitHub workflow commands: escaping, file and line, groups, and the 10-per-level limit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from auditor.findings import Location, Resource, Severity
from auditor.reports import OutputFormat, render
from auditor.reports.github import Annotation, escape_data, escape_property
from tests.report_fixtures import full_result


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v", "k: v", "k%3A v"),
        ("a,b", "a,b", "a%2Cb"),
        ("%0A", "%250A", "%250A"),  # an encoded-looking input stays literal
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_annotation_escapes_properties_and_message() -> None:
    line = Annotation("error", "50% lost\nreally", "STO001: a, b", "dir,x/app:1.yml", 3).render()
    assert line == "::error file=dir%2Cx/app%3A1.yml,line=3,title=STO001%3A a%2C b::50%25 lost%0Areally"


def test_every_annotation_is_one_line_and_groups_are_per_target() -> None:
    lines = render(full_result(), OutputFormat.GITHUB).splitlines()
    assert [line for line in lines if line.startswith("::group::")] == [
        "::group::kafka-audit: cluster 127.0.0.1:9092",
        "::group::kafka-audit: file config/app.yml",
        "::group::kafka-audit: file clients/producer.properties",
    ]
    assert lines.count("::endgroup::") == 3
    assert any(line.startswith("::error file=config/app.yml,line=12,title=PRO001 ") for line in lines)
    assert any(line.startswith("::error title=STO001 ") for line in lines)  # cluster finding: no file
    assert any(line.startswith("::notice file=config/app.yml,line=30,") and "[waived]" in line for line in lines)
    assert any(line.startswith("::warning title=kafka-audit%3A not audited::topic secret-ledger") for line in lines)


def _many(count: int, severity: Severity) -> tuple[Any, ...]:
    template = full_result().findings[1]
    return tuple(
        replace(template, severity=severity, resource=Resource("topic", f"t{i:02}"), location=Location("a.yml", i + 1))
        for i in range(count)
    )


def test_after_ten_of_a_level_one_notice_counts_the_rest() -> None:
    result = replace(full_result(), findings=_many(25, Severity.HIGH) + _many(3, Severity.LOW), gaps=())
    lines = render(result, OutputFormat.GITHUB).splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    overflow = [line for line in lines if line.startswith("::notice title=kafka-audit%3A 15 more error(s)::")]
    assert len(overflow) == 1 and "step summary" in overflow[0]
    assert sum(line.startswith("::notice ") for line in lines) == 4  # 3 low findings + the count


def test_notice_overflow_keeps_slots_for_the_counts() -> None:
    result = replace(full_result(), findings=_many(12, Severity.HIGH) + _many(14, Severity.INFO), gaps=())
    notices = [line for line in render(result, OutputFormat.GITHUB).splitlines() if line.startswith("::notice ")]
    assert len(notices) == 10  # GitHub shows 10: 8 findings, the error count, the notice count
    assert "2 more error(s)" in notices[-2] and "6 more notice(s)" in notices[-1]
