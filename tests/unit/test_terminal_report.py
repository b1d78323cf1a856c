"""The terminal report: golden captures at 80 and 120 columns (plain and coloured), the demo's
19 findings in at most 120 lines at 100 columns, the offending source line under a file finding,
grep-able first lines, commands never broken,
--quiet / --verbose / --statistics, colour and width from the environment, hostile names.

Regenerate the captures after a deliberate change with
`UPDATE_GOLDEN=1 pytest tests/unit/test_terminal_report.py`, and review the diff.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.findings import Finding, Location, Resource, Severity, Stage, Status
from auditor.report_cli import terminal_width, use_color
from auditor.reports import Detail, OutputFormat, RenderOptions, render
from auditor.reports.common import location_text
from auditor.reports.fixtext import commands, fix_parts
from auditor.reports.load import load_report
from auditor.result import AuditResult
from tests.report_fixtures import clean_result, full_result

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "terminal"
DEMO_REPORT = ROOT / "sample-reports" / "audit.json"  # the real demo audit (make sample-reports)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _demo() -> AuditResult:
    return load_report(DEMO_REPORT)


def _text(result: AuditResult, width: int, color: bool = False, **options: object) -> str:
    return render(result, OutputFormat.TABLE, RenderOptions(color=color, width=width, **options))  # type: ignore[arg-type]


CAPTURES = {
    "full": full_result,
    "clean": clean_result,
    "demo": _demo,
}


@pytest.mark.parametrize("color", [False, True], ids=["plain", "color"])
@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_matches_golden_capture(name: str, width: int, color: bool) -> None:
    text = _text(CAPTURES[name](), width, color)
    golden = GOLDEN / f"{name}.{width}{'.color' if color else ''}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_demo_fits_120_lines_at_100_columns() -> None:
    demo = _demo()
    text = _text(demo, 100)
    assert len(demo.findings) == 19  # 18, and the demo's unsafe Kafka Connect connector (CNX010, issue #17)
    assert len(text.splitlines()) <= 120
    assert all(f.rule_id in text for f in demo.findings)


def test_file_findings_show_their_source_line() -> None:
    lines = _text(_demo(), 100).splitlines()
    at = lines.index("demo/services/payments-producer.properties:4  PRD002 high  Producer retries disabled")
    assert lines[at + 1] == "  4 | retries=0"
    assert lines[at + 2] == "  expected > 0 (leave unset: the default retries until delivery.timeout.ms)"  # said once
    assert "  4 | auto.offset.reset=latest" in lines
    coloured = _text(_demo(), 100, color=True)
    assert "\x1b[2m4 |\x1b[0m retries=0" in coloured


def test_what_a_finding_means_is_shown_with_verbose() -> None:
    message = "Topic payments accepts acks=all writes with only 1 in-sync replica"
    assert message not in _text(_demo(), 100)
    assert message in " ".join(_text(_demo(), 100, detail=Detail.VERBOSE).split())


@pytest.mark.parametrize("width", [80, 100, 120])
def test_every_finding_has_a_first_line_with_location_rule_and_severity(width: int) -> None:
    demo = _demo()
    lines = _text(demo, width).splitlines()
    for finding in demo.findings:
        head = f"{location_text(finding, None)}  {finding.rule_id} {finding.severity.value}"
        assert any(line.strip().removeprefix("+ ").startswith(head) for line in lines), head


@pytest.mark.parametrize("width", [80, 100])
def test_prose_wraps_at_the_width_and_commands_stay_whole(width: int) -> None:
    demo = _demo()
    text = _text(demo, width)
    lines = [line.strip().removeprefix("fix: ") for line in text.splitlines()]
    every_command = {c for f in demo.findings for c in commands(f.remediation)}
    assert every_command, "the demo's fixes carry commands"
    shown = [c for c in every_command if c in lines]
    assert shown, "at least the first finding's commands are shown"
    for line in text.splitlines():
        if len(line) > width:  # only a command, or a single token longer than the line, may overflow
            assert line.strip().removeprefix("fix: ") in every_command or " " not in line.strip(), line


def test_quiet_prints_only_gating_first_lines_and_the_summary() -> None:
    result = full_result()
    text = _text(result, 100, detail=Detail.QUIET)
    body = [line for line in text.splitlines()[1:] if line and not line.startswith(("FAIL", " "))]
    # high and above, not waived, not baselined: STO001 critical on audit-log, STO002 high on payments,
    # PRO001 high on config/app.yml:12 (the unknown PRO002 is medium).
    assert body == [
        "kafka-cluster/topic/audit-log  STO001 critical  Topic replication factor below 3",
        "config/app.yml:12 [prod]  PRO001 high  Producer does not wait for all in-sync replicas",
        "kafka-cluster/topic/payments  STO002 high  Effective min.insync.replicas below 2",
    ]
    assert any(line.startswith("FAIL  6 findings") for line in text.splitlines())


def test_verbose_adds_rationale_and_references() -> None:
    text = _text(full_result(), 100, detail=Detail.VERBOSE)
    assert "why: One disk failure loses acknowledged data." in text
    assert "see: https://kafka.apache.org/documentation/#replication" in text
    assert "why:" not in _text(full_result(), 100)


def test_statistics_counts_per_rule() -> None:
    text = _text(_demo(), 100, statistics=True)
    assert "findings per rule:" in text
    assert re.search(r"^\s+3  STO003  critical  min-isr-vs-replication-factor$", text, re.MULTILINE)
    assert re.search(r"^\s+3  STO011  critical  under-min-isr-partition$", text, re.MULTILINE)


def test_related_findings_on_one_topic_form_one_block() -> None:
    lines = _text(_demo(), 100).splitlines()
    start = lines.index("kafka-cluster/topic/audit-log  STO001 critical  Topic replication factor below 3")
    block = lines[start : next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))]
    related = [line for line in block if "STO003" in line or "STO011" in line]
    assert len(related) == 4 and all(line.startswith("  + kafka-cluster/") for line in related)


def test_summary_says_the_verdict_first_with_the_policy_and_assumed_clients() -> None:
    summary = _text(_demo(), 100).split("\n\n")[-1]
    assert summary.startswith("FAIL  19 findings: 6 critical, 7 high, 5 medium, 1 info; exit 1 (fail-on high)")
    flat = " ".join(summary.split())
    assert "policy built-in default" in flat
    assert "client versions assumed: Java kafka-clients >=3.2,<4.0" in flat
    assert "\nPASS  no findings; exit 0" in _text(clean_result(), 100)


def test_colour_marks_severity_location_verdict_and_commands_only_when_asked() -> None:
    coloured = _text(_demo(), 100, color=True)
    assert "\x1b[1;31mFAIL\x1b[0m" in coloured and "\x1b[1;37;41mcritical\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == _text(_demo(), 100)
    assert "\x1b" not in _text(_demo(), 100)


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (False, {"FORCE_COLOR": "1"}, True),
        (True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # no-color.org: set and not empty
        (True, {"TERM": "dumb"}, False),
    ],
)
def test_colour_follows_the_terminal_no_color_and_force_color(tty: bool, env: dict[str, str], expected: bool) -> None:
    assert use_color(tty, env) is expected


def test_width_follows_columns() -> None:
    assert terminal_width({"COLUMNS": "132"}) == 132
    assert terminal_width({"COLUMNS": "wide"}) > 0


HOSTILE = ["\x1b[2J\x1b[31mred", "a\nFAKE  0 findings", "$(rm -rf ~)", "`id`", "'quoted\"", "\u202eevil", "\x07bell"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_cannot_drive_the_terminal(name: str) -> None:
    finding = replace(
        full_result().findings[0],
        resource=Resource("topic", name),
        message=f"Topic {name} is bad.",
        remediation=f"kafka-configs.sh --bootstrap-server b:9092 --alter --entity-name {name}",
        actual=name,
    )
    result = replace(full_result(), findings=(finding,))
    for color in (False, True):
        text = ANSI.sub("", _text(result, 80, color))
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text), repr(text)
        assert "\nFAKE" not in text


_finding_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=80)


@settings(max_examples=150, deadline=None)
@given(
    title=_finding_text,
    message=_finding_text,
    remediation=_finding_text,
    actual=_finding_text,
    name=_finding_text,
    path=st.one_of(st.none(), _finding_text),
    width=st.integers(min_value=1, max_value=300),
)
def test_any_finding_text_renders_without_control_characters(
    title: str, message: str, remediation: str, actual: str, name: str, path: str | None, width: int
) -> None:
    finding = Finding(
        "STO001", "topic-replication-factor", title, Stage.STORE, Severity.HIGH, Status.FAIL,
        Resource("topic", name), "replication.factor", actual, None, ">= 3", message, remediation,
        Location(path, 3) if path is not None else None,
    )  # fmt: skip
    result = replace(clean_result(), findings=(finding,), exit_code=1)
    for detail in Detail:
        text = _text(result, width, detail=detail)
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", text)
        assert "STO001 high" in text


@pytest.mark.parametrize(
    ("remediation", "expected"),
    [
        (
            "Set min.insync.replicas=2 on t (kafka-configs.sh --bootstrap-server b:1 --alter --entity-type topics "
            "--entity-name t --add-config min.insync.replicas=2), with a replication factor of 3.",
            [
                ("Set min.insync.replicas=2 on t", False),
                (
                    "kafka-configs.sh --bootstrap-server b:1 --alter --entity-type topics --entity-name t "
                    "--add-config min.insync.replicas=2",
                    True,
                ),
                ("with a replication factor of 3.", False),
            ],
        ),
        (
            "Check with kafka-topics.sh --bootstrap-server b:1 --describe --under-min-isr-partitions --topic t.",
            [
                ("Check with", False),
                ("kafka-topics.sh --bootstrap-server b:1 --describe --under-min-isr-partitions --topic t", True),
            ],
        ),
        (
            "kafka-leader-election.sh --election-type unclean unless losing messages is accepted.",
            [
                ("kafka-leader-election.sh --election-type unclean", True),
                ("unless losing messages is accepted.", False),
            ],
        ),
        (
            "Add controllers (kafka-metadata-quorum.sh --bootstrap-server b:1 add-controller), and run them.",
            [
                ("Add controllers", False),
                ("kafka-metadata-quorum.sh --bootstrap-server b:1 add-controller", True),
                ("and run them.", False),
            ],
        ),
        ("No command here (just prose).", [("No command here (just prose).", False)]),
        ("not-kafka-configs.sh is not a tool", [("not-kafka-configs.sh is not a tool", False)]),
    ],
)
def test_fix_is_split_into_prose_and_commands(remediation: str, expected: list[tuple[str, bool]]) -> None:
    assert [(p.text, p.command) for p in fix_parts(remediation)] == expected
