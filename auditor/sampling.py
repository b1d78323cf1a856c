"""Repeated reads of partition state, so that a transient blip does not fail a deploy gate.

With `--samples N` the cluster is read N times, `--sample-interval` seconds apart; a partition
finding (a rule on the partition kind: STO010-STO014) is reported only when it holds in every
sample, and its message says so. The report shows the last sample.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from auditor.engine import Rule, evaluate
from auditor.facts import KINDS, Subject
from auditor.findings import Finding
from auditor.model import ClusterSnapshot, Estate, Kind


def collect_samples(
    collect: Callable[[], ClusterSnapshot], samples: int, interval_s: float, sleep: Callable[[float], None] = time.sleep
) -> list[ClusterSnapshot]:
    snapshots = [collect()]
    for _ in range(samples - 1):
        sleep(interval_s)
        snapshots.append(collect())
    return snapshots


def keep_steady(
    findings: Iterable[Finding],
    rules: Sequence[Rule],
    earlier: Sequence[ClusterSnapshot],
    scope: Callable[[Mapping[Kind, list[Subject]]], Mapping[Kind, list[Subject]]],
    interval_s: float,
) -> list[Finding]:
    """The findings of the last sample, less partition findings absent from an earlier sample."""
    if not earlier:
        return list(findings)
    partition_rules = [r for r in rules if Kind.PARTITION in r.resources]
    held = [_partition_keys(partition_rules, snapshot, scope) for snapshot in earlier]
    samples = len(earlier) + 1
    note = f" (held in all {samples} samples, {interval_s:g} s apart)"
    kept = []
    for finding in findings:
        if finding.resource.kind == Kind.PARTITION:
            if not all(_key(finding) in keys for keys in held):
                continue
            finding = replace(finding, message=finding.message + note)
        kept.append(finding)
    return kept


def _partition_keys(
    rules: Sequence[Rule],
    snapshot: ClusterSnapshot,
    scope: Callable[[Mapping[Kind, list[Subject]]], Mapping[Kind, list[Subject]]],
) -> set[tuple[str, str, str]]:
    partitions = {Kind.PARTITION: list(KINDS[Kind.PARTITION].build(Estate(cluster=snapshot)))}
    return {_key(f) for f in evaluate(rules, scope(partitions))}


def _key(finding: Finding) -> tuple[str, str, str]:
    return (finding.rule_id, finding.resource.name, finding.status.value)
