"""The gate: from findings and coverage to the exit code, in one pure function.

The codes are documented in docs/architecture.md ("Exit codes") and README.md."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.errors import EXIT_UNREACHABLE as EXIT_UNREACHABLE
from auditor.errors import EXIT_USAGE as EXIT_USAGE
from auditor.findings import Finding, Severity, Status

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_GAPS = 4
EXIT_INTERNAL = 70  # a bug in kafka-audit (sysexits' EX_SOFTWARE): never 1, which means findings

FAIL_ON_CHOICES: tuple[str, ...] = (*(s.value for s in Severity), "never")


def gating(finding: Finding, fail_on: Severity | None) -> bool:
    """A finding gates when it is not waived, not in the baseline and at or above the threshold.

    `unknown` findings gate like failures: a value that could not be determined is never
    assumed fine.
    """
    if fail_on is None or finding.status is Status.WAIVED or finding.baselined:
        return False
    return finding.severity.at_least(fail_on)


def exit_code(
    findings: Iterable[Finding],
    *,
    has_gaps: bool,
    fail_on: Severity | None,
    fail_on_gaps: bool = False,
    exit_zero: bool = False,
) -> int:
    """0, 1 or 4 for a completed audit (2 and 3 end the run before there are findings).

    Order of precedence: 1 before 4 before 0. `exit_zero` turns 1 into 0 and nothing else, so
    coverage gaps still give 4 under `fail_on_gaps`.
    """
    if not exit_zero and any(gating(f, fail_on) for f in findings):
        return EXIT_FINDINGS
    if has_gaps and fail_on_gaps:
        return EXIT_GAPS
    return EXIT_OK


def parse_fail_on(value: str) -> Severity | None:
    return None if value == "never" else Severity(value)
