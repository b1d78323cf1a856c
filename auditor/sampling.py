"""Repeated reads of partition state, so that a transient blip does not fail a deploy gate.

With `--samples N` the cluster is read N times, `--sample-interval` seconds apart, all within
`--timeout` (each read gets an equal share of what the intervals leave); a partition
finding (a rule on the partition kind: STO010-STO014) is reported only when it holds in every
sample, and its message says so. The report shows the last sample.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from auditor.engine import Rule, evaluate
from auditor.errors import InputError
from auditor.facts import KINDS, Subject
from auditor.findings import Finding
from auditor.model import ClusterSnapshot, Estate, Kind


def collect_samples(
    collect: Callable[[float], ClusterSnapshot],
    samples: int,
    interval_s: float,
    timeout_s: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[ClusterSnapshot]:
    """`samples` reads, `interval_s` apart, all within `timeout_s` (--timeout bounds the whole
    collection): each read is given an equal share of what the intervals leave, in seconds."""
    deadline = clock() + timeout_s
    snapshots: list[ClusterSnapshot] = []
    for left in range(samples, 0, -1):
        if snapshots:
            sleep(interval_s)
        snapshots.append(collect((deadline - clock() - interval_s * (left - 1)) / left))
    return snapshots


def check_sampling(samples: int, interval_s: float, timeout_s: float, least_s: float) -> None:
    """InputError unless every one of `samples` reads gets `least_s` of --timeout after the intervals."""
    share = (timeout_s - interval_s * (samples - 1)) / samples
    if share < least_s:
        raise InputError(
            f"{samples} samples {interval_s:g}s apart leave {max(share, 0):.2g}s of the run's {timeout_s:g}s "
            f"timeout per read (at least {least_s:g}s): give a longer timeout, it bounds all the samples"
        )


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
