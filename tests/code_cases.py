"""Judge the clients a source file builds: (construction line, rule, status, finding line) per finding."""

from __future__ import annotations

from pathlib import Path

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.findings import Finding
from auditor.model import Estate
from auditor.sources.files import FilesRead, read_paths

FIXTURES = Path(__file__).parent / "fixtures" / "code"
Case = tuple[int, str, str, int | None]


def read_fixture(relative: str) -> FilesRead:
    return read_paths([str(FIXTURES / relative)])


def judged(relative: str) -> tuple[FilesRead, list[Finding]]:
    found = read_fixture(relative)
    return found, judge(Estate(clients=found.clients), load_rules())


def cases(relative: str) -> set[Case]:
    found, findings = judged(relative)
    sites = {c.name: c.line for c in found.clients}
    return {
        (sites[f.resource.name] or 0, f.rule_id, f.status.value, f.location.line if f.location else None)
        for f in findings
    }


def constructions(relative: str) -> dict[int, tuple[str, str]]:
    """construction line -> (role, library) of every client the file builds."""
    found = read_fixture(relative)
    return {c.line or 0: (next(iter(c.roles)), c.library) for c in found.clients}


def gap_lines(relative: str) -> set[int]:
    found = read_fixture(relative)
    return {int(g.resource.rsplit(":", 1)[1]) for g in found.gaps if "not understood" in g.reason}
