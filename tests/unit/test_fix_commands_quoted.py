"""Every value a fix command interpolates is shell-quoted: copying a suggested command never runs
what a hostile topic, group, broker or path name carries.

Anyone who can commit offsets can name a consumer group; anyone who can create topics can name
one. Each fix command is pasted into a real bash with Kafka's tools replaced by a function that
prints its arguments: the hostile name must arrive as one argument, and nothing may run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditor.engine.templates import ShellText, render, shell_quote
from auditor.model import Estate
from auditor.reports.fixtext import commands
from tests.builders import broker, group, judge_estate, offset, snapshot, topic

HOSTILE = [
    "ops$(touch${IFS}MARK)",
    "ops`touch MARK`",
    "it's; touch MARK",
    'q"uote $(touch MARK)',
    "new\nline; touch MARK",
    "with space & touch MARK",
    "esc\x1b[31m;touch MARK",
]


def _fix_commands(name: str) -> list[str]:
    estate = Estate(
        cluster=snapshot(
            topic(name, min_isr="1", rf=2, unclean="true"),
            broker_list=[broker(1), broker(2), broker(3)],
            groups=[group(name, offset(topic_name=name, committed=1, log_start=5))],
        )
    )
    found = [c for f in judge_estate(estate) for c in commands(f.remediation)]
    assert found, "the estate must produce fix commands for this test to mean anything"
    return found


@pytest.mark.parametrize("name", HOSTILE)
def test_pasted_fix_commands_run_nothing(tmp_path: Path, name: str) -> None:
    for command in _fix_commands(name):
        script = (
            "for tool in kafka-configs.sh kafka-consumer-groups.sh kafka-topics.sh kafka-reassign-partitions.sh"
            ' kafka-leader-election.sh kafka-metadata-quorum.sh; do eval "$tool() { printf \'%s\\n\' \\"\\$@\\"; }";'
            f" done\n{command}\n"
        )
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, cwd=tmp_path)
        assert not (tmp_path / "MARK").exists(), command
        assert done.returncode == 0, (command, done.stderr)
        assert name in done.stdout, (command, done.stdout)  # the name arrives whole, as one argument


@pytest.mark.parametrize("name", HOSTILE)
def test_every_interpolated_value_is_one_inert_word(tmp_path: Path, name: str) -> None:
    fragment = ShellText("--entity-name " + shell_quote(name))
    rendered = render("printf '%s\\0' {group} {set_config}", {"group": name, "set_config": fragment}, shell=True)
    words = subprocess.run(["bash", "-c", rendered], capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert words.stdout.split("\0") == [name, "--entity-name", name, ""]
    assert not (tmp_path / "MARK").exists()


def test_plain_names_are_not_quoted() -> None:
    assert render("--group {group} --topic {topic}", {"group": "billing", "topic": "orders.v1"}, shell=True) == (
        "--group billing --topic orders.v1"
    )
