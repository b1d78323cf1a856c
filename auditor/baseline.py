"""Baselines: accept today's findings, fail only on what is new.

`--write-baseline FILE` records the fingerprint of every unwaived finding with how many times
it occurs; `--baseline FILE` marks up to that many findings of each fingerprint as baselined
(shown, not gating). A finding beyond the recorded count is new, even of a known kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from auditor.errors import InputError
from auditor.findings import Finding, Status
from auditor.jsonfile import dump_json, read_json

BASELINE_FORMAT = "kafka-audit-baseline"
BASELINE_VERSION = 1


def baseline_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Fingerprint -> occurrences of the unwaived findings."""
    return dict(Counter(f.fingerprint for f in findings if f.status is not Status.WAIVED))


def baseline_document(findings: Iterable[Finding]) -> dict[str, object]:
    kept = [f for f in findings if f.status is not Status.WAIVED]
    counts = baseline_counts(kept)
    described = {f.fingerprint: f"{f.rule_id} {f.resource}" for f in kept}
    return {
        "format": BASELINE_FORMAT,
        "version": BASELINE_VERSION,
        "fingerprints": {fp: {"count": counts[fp], "finding": described[fp]} for fp in sorted(counts)},
    }


def write_baseline(path: Path, findings: Iterable[Finding]) -> None:
    try:
        path.write_bytes(dump_json(baseline_document(findings)))
    except OSError as exc:
        raise InputError(f"cannot write baseline {path}: {exc.strerror}") from exc


def load_baseline(path: Path) -> dict[str, int]:
    """Fingerprint -> count. InputError when the file is unreadable or not a baseline."""
    document = read_json(path, "baseline")
    if not isinstance(document, dict) or document.get("format") != BASELINE_FORMAT:
        raise InputError(f"{path} is not a kafka-audit baseline (format {BASELINE_FORMAT!r})")
    if document.get("version") != BASELINE_VERSION:
        raise InputError(f"baseline {path} has version {document.get('version')!r}; this kafka-audit reads 1")
    entries = document.get("fingerprints")
    if not isinstance(entries, dict) or not all(_valid_entry(v) for v in entries.values()):
        raise InputError(f"baseline {path}: 'fingerprints' must map fingerprints to {{count: N}}")
    return {fp: int(entry["count"]) for fp, entry in entries.items()}


MAX_COUNT = 2**31 - 1


def _valid_entry(entry: object) -> bool:
    """{count: N}, N a whole number 0 <= N < 2^31 (`true` is no count, though Python calls it an int)."""
    if not isinstance(entry, dict):
        return False
    count = entry.get("count")
    return isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_COUNT


def apply_baseline(findings: Iterable[Finding], baseline: Mapping[str, int]) -> list[Finding]:
    """Mark findings the baseline accounts for; waived ones are left as they are."""
    remaining = dict(baseline)
    result = []
    for finding in findings:
        if finding.status is not Status.WAIVED and remaining.get(finding.fingerprint, 0) > 0:
            remaining[finding.fingerprint] -= 1
            finding = replace(finding, baselined=True)
        result.append(finding)
    return result
