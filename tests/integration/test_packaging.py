"""Ready to publish: the wheel and sdist build and pass `twine check`, the wheel installs into a
fresh virtual environment outside the checkout and audits a file; the container image builds
(when a Docker daemon is there); the pre-commit hook runs from this repository with
`pre-commit try-repo` on a scratch git repository.

Integration tests: they install from PyPI into fresh environments (a minute or more each).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# A Java producer in the shape of Kafka's config/producer.properties: retries=0 is PRD002.
PRODUCER = "bootstrap.servers=localhost:9092\nacks=all\nretries=0\ncompression.type=none\n"


def _run(*args: str | Path, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
    assert built.returncode == 0, built.stderr[-2000:]
    return out


def test_wheel_and_sdist_pass_twine_check(dist: Path) -> None:
    files = sorted(p.name for p in dist.iterdir())
    assert any(f.endswith(".whl") for f in files) and any(f.endswith(".tar.gz") for f in files), files
    checked = _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()), cwd=dist)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_wheel_installs_in_a_fresh_venv_and_audits_a_file(dist: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    wheel = next(dist.glob("*.whl"))
    installed = _run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-2000:]
    work = tmp_path / "work"
    work.mkdir()
    (work / "producer.properties").write_text(PRODUCER, encoding="utf-8")
    done = _run(env_dir / "bin" / "kafka-audit", "audit", "producer.properties", "-f", "json", cwd=work)
    assert done.returncode == 1, done.stderr
    assert "PRD002" in {f["rule_id"] for f in json.loads(done.stdout)["findings"]}
    sqlalchemy = _run(python, "-c", "import sqlalchemy", cwd=work)
    assert sqlalchemy.returncode != 0, "SQLAlchemy is the outbox extra, not a dependency"


def _docker_works() -> bool:
    return shutil.which("docker") is not None and _run("docker", "info", cwd=ROOT, timeout=60).returncode == 0


@pytest.mark.skipif(not _docker_works(), reason="no Docker daemon")
def test_container_image_builds_runs_as_non_root_and_audits(tmp_path: Path) -> None:
    built = _run("docker", "build", "-t", "kafka-audit:test", ROOT, cwd=ROOT, timeout=1800)
    assert built.returncode == 0, built.stderr[-2000:]
    user = _run("docker", "run", "--rm", "--entrypoint", "id", "kafka-audit:test", "-u", cwd=ROOT)
    assert user.stdout.strip() != "0"
    (tmp_path / "producer.properties").write_text(PRODUCER, encoding="utf-8")
    done = _run("docker", "run", "--rm", "-v", f"{tmp_path}:/work:ro", "kafka-audit:test", "audit",
                "producer.properties", cwd=ROOT)  # fmt: skip
    assert done.returncode == 1 and "PRD002" in done.stdout, done.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_hook_runs_from_this_repository(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs the hook from a commit of this checkout, as users' `rev:` would."""
    source = tmp_path / "source"
    cloned = _run("git", "clone", "--quiet", ROOT, source, cwd=tmp_path)
    assert cloned.returncode == 0, cloned.stderr
    scratch = tmp_path / "scratch"
    (scratch / "config").mkdir(parents=True)
    (scratch / "config" / "producer.properties").write_text(PRODUCER, encoding="utf-8")
    (scratch / "config" / "log4j.properties").write_text("log4j.rootLogger=INFO, stdout\n", encoding="utf-8")
    (scratch / "README.md").write_text("# scratch\n", encoding="utf-8")
    for command in (("git", "init", "--quiet"), ("git", "add", "."), ("git", "-c", "user.name=t", "-c",
                    "user.email=t@t", "commit", "--quiet", "-m", "init")):  # fmt: skip
        assert _run(*command, cwd=scratch).returncode == 0
    home = tmp_path / "pre-commit-home"
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(source), "kafka-audit", "--all-files", "--verbose"],
        cwd=scratch, capture_output=True, text=True, timeout=1800, check=False,
        env={**__import__("os").environ, "PRE_COMMIT_HOME": str(home)},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # PRD002 fails the hook
    assert "config/producer.properties:3  PRD002 high" in done.stdout
    assert "log4j.properties" not in done.stdout.split("kafka-audit", 1)[-1]
