"""Progress goes to stderr only when it is a terminal; --help and --version never load kafka-python."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from types import SimpleNamespace

from auditor.progress import terminal_progress


def test_no_progress_when_stderr_is_not_a_terminal() -> None:
    with terminal_progress() as progress:  # pytest captures stderr: not a terminal
        assert progress is None


def test_progress_on_a_terminal_names_the_step() -> None:
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "auditor", "audit", "--bootstrap-server", "127.0.0.1:9", "--timeout", "2"]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, timeout=60, check=False, cwd="/")
    os.close(follower)
    shown = b""
    try:
        while chunk := os.read(leader, 65536):
            shown += chunk
    except OSError:  # the terminal is closed once everything was read
        pass
    assert done.returncode == 3
    assert b"connecting to 127.0.0.1:9" in shown
    assert done.stdout == b""  # progress never goes to stdout, where reports go


def test_help_and_version_do_not_import_kafka_python() -> None:
    for flag in ("--help", "--version"):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "auditor", flag], capture_output=True, text=True, check=True
        )
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        assert not {name for name in imported if name == "kafka" or name.startswith("kafka.")}, flag


def test_each_phase_of_a_large_audit_shows_its_counts() -> None:
    from auditor.audit import judging_step
    from auditor.model import ClusterSnapshot, ConsumerGroup, Partition, Topic
    from auditor.sources.live import configs_step, offsets_step
    from auditor.sources.live.groups import GroupsRead, ListedGroup

    # the Metadata answer's topics as kafka-python decodes them, read by attribute
    raw = [
        SimpleNamespace(name=f"t{i}", partitions=[SimpleNamespace(partition_index=p) for p in range(3)])
        for i in range(20_000)
    ]
    assert configs_step(raw) == "reading configs of 20,000 topics (60,000 partitions), groups and transactions"
    listed = tuple(ListedGroup(f"g{i}", 1, "classic", "Empty", "consumer") for i in range(1_000))
    committed: dict[str, dict[tuple[str, int], int | None]] = {
        g.id: {(f"t{(i * 10 + k) % 20_000}", p): 2 for k in range(10) for p in range(3)} for i, g in enumerate(listed)
    }
    read = GroupsRead(listed, {}, committed, {})
    assert offsets_step(read) == "reading the log offsets of 30,000 partitions consumed by 1,000 groups"
    assert offsets_step(None) == "reading the log offsets of consumed partitions"  # groups not read: no count
    topics = tuple(
        Topic(f"t{i}", False, tuple(Partition(f"t{i}", p, 1, (1,), (1,)) for p in range(3))) for i in range(5)
    )
    groups = (ConsumerGroup("g1"), ConsumerGroup("g2"))
    cluster = ClusterSnapshot(bootstrap="b:9092", collected_at="2026-12-01T19:00Z", topics=topics, groups=groups)
    assert judging_step(cluster) == "judging 5 topics (15 partitions) and 2 groups"
