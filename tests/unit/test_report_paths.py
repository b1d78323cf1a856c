"""SARIF, GitHub and JUnit reports name files from the repository root, wherever the run starts
(#11 point 10): code scanning and annotations resolve paths against the checkout's root, so a
path relative to the working folder points at the wrong file. A file outside the repository is
reported as such. The files are Kafka's config/producer.properties, trimmed, with acks=0.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.unit.test_hostile_inputs import run

UNSAFE_PRODUCER = "bootstrap.servers=kafka:9092\nacks=0\n"
REPORTS: tuple[str, ...] = ("-f", "sarif", "-o", "{out}/r.sarif", "-f", "github", "-o", "{out}/g.txt")
REPORTS += ("-f", "junit", "-o", "{out}/j.xml")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)  # what `git init` leaves: the root is the folder holding .git
    (root / "sub").mkdir()
    (root / "sub" / "dup.properties").write_text(UNSAFE_PRODUCER)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.properties").write_text(UNSAFE_PRODUCER)
    (tmp_path / "out").mkdir()
    return root


def audit_from(folder: Path, path: str, *extra: str) -> tuple[list[str], list[str], list[str]]:
    """(SARIF uris, GitHub annotation lines, JUnit file attributes) of an audit of `path` run in `folder`."""
    out = folder.parents[1] / "out" if folder.name == "sub" else folder.parent / "out"
    done = run(folder, "audit", path, *extra, *(a.format(out=out) for a in REPORTS))
    assert done.returncode == 1, done.stderr
    sarif = json.loads((out / "r.sarif").read_text())
    uris = [
        json.dumps(result["locations"][0]["physicalLocation"]["artifactLocation"], sort_keys=True)
        for result in sarif["runs"][0]["results"]
    ]
    github = [line for line in (out / "g.txt").read_text().splitlines() if line.startswith("::error")]
    junit = [case.get("file", "") for case in ET.parse(out / "j.xml").iter("testcase") if case.get("file")]
    return uris, github, junit


def test_a_file_in_a_subfolder_is_named_from_the_repository_root(repo: Path) -> None:
    uris, github, junit = audit_from(repo / "sub", "dup.properties")
    assert uris and all(uri == '{"uri": "sub/dup.properties", "uriBaseId": "%SRCROOT%"}' for uri in uris)
    assert github and all(line.startswith("::error file=sub/dup.properties,line=2,") for line in github)
    assert junit and set(junit) == {"sub/dup.properties"}


def test_the_same_file_named_from_the_root_gives_the_same_paths(repo: Path) -> None:
    def places(reported: tuple[list[str], list[str], list[str]]) -> tuple[list[str], list[str], list[str]]:
        uris, github, junit = reported
        return uris, [line.split("::")[1] for line in github], junit  # the messages name the path as given

    assert places(audit_from(repo, "sub/dup.properties")) == places(audit_from(repo / "sub", "dup.properties"))


def test_a_file_outside_the_repository_is_reported_as_outside(repo: Path) -> None:
    outside = (repo.parent / "outside" / "x.properties").resolve()
    uris, github, junit = audit_from(repo / "sub", "../../outside/x.properties")
    for uri in uris:
        location = json.loads(uri)
        assert location == {"uri": f"file://{outside}", "properties": {"outsideRepository": True}}
    assert github and all("file=" not in line.split("::")[1] for line in github)
    assert all(f"(in {outside}, outside the repository)" in line for line in github)
    assert set(junit) == {str(outside)}


def test_repo_root_names_the_root(repo: Path) -> None:
    uris, _, junit = audit_from(repo / "sub", "dup.properties", "--repo-root", ".")
    assert all(json.loads(uri)["uri"] == "dup.properties" for uri in uris)
    assert set(junit) == {"dup.properties"}


def test_repo_root_that_is_no_folder_is_exit_2(repo: Path) -> None:
    done = run(repo, "audit", "sub/dup.properties", "--repo-root", "nowhere")
    assert done.returncode == 2 and "--repo-root nowhere is not a folder" in done.stderr
