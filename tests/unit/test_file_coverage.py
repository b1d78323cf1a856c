"""Nothing a PATH holds is left out silently: symbolic links to folders are followed, a folder
that cannot be listed is a coverage gap (exit 4 with --fail-on-gaps), and a PATH that gives
nothing to audit is exit 2, never an empty pass."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.sources.files import read_paths

# Kafka's config/producer.properties, with the setting that loses messages.
PRODUCER = "bootstrap.servers=localhost:9092\nacks=0\n"


def run(folder: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "auditor", "audit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )


# Root reads any folder (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH); without them in its bounding set
# (setpriv, util-linux) a root process meets file permissions as any user does. Not root: nothing to drop.
ROOT_POWERS = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search")


def without_root_powers() -> tuple[str, ...]:
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux): no way to make a folder unreadable to this process")
    return ROOT_POWERS


@pytest.fixture
def locked_folder(tmp_path: Path) -> Iterator[Path]:
    """config/locked, chmod 000, holding an acks=0 producer; config/ also holds a consumer file."""
    locked = tmp_path / "config" / "locked"
    locked.mkdir(parents=True)
    (locked / "producer.properties").write_text(PRODUCER)
    (tmp_path / "config" / "consumer.properties").write_text("bootstrap.servers=k:9092\ngroup.id=g\n")
    locked.chmod(0)
    yield locked
    locked.chmod(0o755)


def test_a_real_unreadable_subfolder_is_a_gap_and_fails_the_gaps_gate(locked_folder: Path) -> None:
    """The kernel refuses the listing (no stand-in for os.scandir): exit 4 with --fail-on-gaps,
    the folder named in the coverage (it was skipped, exit 0 and coverage complete)."""
    args = ("config", "--fail-on", "never", "--fail-on-gaps", "--format", "json")
    done = run(locked_folder.parents[1], *args, prefix=without_root_powers())
    assert done.returncode == 4, done.stdout + done.stderr
    coverage = json.loads(done.stdout)["coverage"]
    assert coverage == {
        "complete": False,
        "gaps": [{"resource": "config/locked", "reason": "folder not read: Permission denied"}],
    }


def test_a_real_unreadable_folder_named_on_the_command_line_is_exit_2(locked_folder: Path) -> None:
    """It gave exit 0 with '0 checks'."""
    done = run(locked_folder.parents[1], "config/locked", prefix=without_root_powers())
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines() == ["kafka-audit: error: cannot read folder config/locked: Permission denied"]
    assert done.stdout == ""


def test_symlinked_subfolder_is_audited(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "producer.properties").write_text(PRODUCER)
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "common").symlink_to(tmp_path / "shared", target_is_directory=True)
    done = run(tmp_path, "service", "--fail-on-gaps")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "service/common/producer.properties" in done.stdout


def test_symlink_loop_ends(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "producer.properties").write_text(PRODUCER)
    (tmp_path / "config" / "again").symlink_to(tmp_path / "config", target_is_directory=True)
    found = read_paths([str(tmp_path / "config")])
    assert [t.name.rsplit("/", 1)[-1] for t in found.targets] == ["producer.properties"]


@pytest.fixture
def unlistable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder this process cannot list: chmod 000, and (as root, whom permissions do not stop)
    os.scandir refusing it the way the kernel refuses anyone else."""
    locked = tmp_path / "config" / "locked"
    locked.mkdir(parents=True)
    (locked / "producer.properties").write_text(PRODUCER)
    (tmp_path / "config" / "consumer.properties").write_text("bootstrap.servers=k:9092\ngroup.id=g\n")
    if os.geteuid() == 0:
        real_scandir = os.scandir

        def scandir(path: str) -> object:
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    locked.chmod(0)
    yield locked
    locked.chmod(0o755)


def test_unreadable_subfolder_is_a_gap(unlistable: Path) -> None:
    found = read_paths([str(unlistable.parent)])
    assert [(g.resource, g.reason) for g in found.gaps] == [
        (f"{unlistable.parent}/locked", "folder not read: Permission denied")
    ]


def test_unreadable_folder_on_the_command_line_is_exit_2(unlistable: Path) -> None:
    with pytest.raises(InputError, match=r"cannot read folder .*locked: Permission denied"):
        read_paths([str(unlistable)])


def test_empty_path_is_exit_2(tmp_path: Path) -> None:
    done = run(tmp_path, "")
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith("kafka-audit: error: an empty PATH names nothing to audit"), done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("path", ["empty", "producer.properties"])
def test_path_that_holds_nothing_to_audit_is_a_gap_and_a_line_on_stderr(tmp_path: Path, path: str) -> None:
    """An empty folder, or a folder named like a client file holding nothing Kafka: one warning
    line naming the path, and a coverage gap in the report (exit 4 with --fail-on-gaps), never a
    clean audit of nothing."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "producer.properties").mkdir()  # a folder with a file's name
    (tmp_path / "producer.properties" / "notes.txt").write_text("nothing about brokers here\n")
    done = run(tmp_path, path, "--fail-on-gaps", "--format", "json")
    assert done.returncode == 4, done.stdout + done.stderr
    coverage = json.loads(done.stdout)["coverage"]
    assert coverage["complete"] is False
    assert [g["resource"] for g in coverage["gaps"]] == [path]
    assert done.stderr.splitlines() == [
        f"kafka-audit: warning: nothing to audit under {path}: no Kafka configuration found "
        "(no file kafka-audit reads under these paths)"
    ]


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("app.properties", PRODUCER, "compose"),  # a client file read as a Compose file
        ("docker-compose.yml", "services:\n  web:\n    image: nginx\n", "properties"),
        ("app.properties", PRODUCER, "strimzi"),
    ],
)
def test_a_named_file_that_is_not_the_chosen_format_is_exit_2(tmp_path: Path, name: str, text: str, fmt: str) -> None:
    (tmp_path / name).write_text(text)
    done = run(tmp_path, name, "--file-format", fmt)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"kafka-audit: error: --file-format {fmt!r}: reads nothing Kafka-related from {name}, which is not a {fmt} "
        "file (leave it out to detect the format)"
    ]


def test_a_walked_file_that_is_not_the_chosen_format_stays_a_gap(tmp_path: Path) -> None:
    """Files found in a folder never end the audit: read as the chosen format and holding nothing,
    each is a gap (exit 4 with --fail-on-gaps)."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "app.yml").write_text("title: no services here\n")
    done = run(tmp_path, "config", "--file-format", "compose", "--fail-on-gaps", "--format", "json")
    assert done.returncode == 4, done.stdout + done.stderr
    (gap,) = json.loads(done.stdout)["coverage"]["gaps"]
    reason = "nothing Kafka-related read as the chosen file format compose"
    assert gap == {"resource": "config/app.yml", "reason": reason}
