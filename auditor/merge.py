"""One result from several: the clusters of a fleet audited in one run, or the JSON reports of CI shards.

Each part keeps its targets, findings, passes and gaps; the whole run has one exit code, the
first of the parts' codes in the documented precedence (2, 3, 1, 4, 0): a shard that could not
audit fails the whole run as surely as a finding does. The merged findings are gated again at
the parts' common fail_on, so shards run with --exit-zero (to let the merge job decide) do not
pass the merge; only the merge's own `exit_zero` turns its 1 into 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from operator import attrgetter

from auditor.checklist import Checklist
from auditor.errors import InputError
from auditor.findings import Finding, NotRun, Pass, Resource, RuleInfo, WaiverUse
from auditor.policy import EXIT_FINDINGS, EXIT_GAPS, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, exit_code
from auditor.result import AuditResult

EXIT_PRECEDENCE = (EXIT_USAGE, EXIT_UNREACHABLE, EXIT_FINDINGS, EXIT_GAPS, EXIT_OK)


def combined_exit_code(codes: Sequence[int]) -> int:
    """The code of the whole run: the first of `codes` in the order 2, 3, 1, 4, 0."""
    known = [code for code in codes if code in EXIT_PRECEDENCE]
    unknown = [code for code in codes if code not in EXIT_PRECEDENCE]
    if unknown:
        return unknown[0]
    return min(known, key=EXIT_PRECEDENCE.index, default=0)


def merge_results(parts: Sequence[AuditResult], exit_zero: bool = False) -> AuditResult:
    """The parts as one result. InputError when they were gated or filtered differently."""
    if not parts:
        raise InputError("nothing to merge")
    _same(parts, "fail_on", [p.fail_on for p in parts])
    _same(parts, "min_severity", [p.min_severity for p in parts])
    first = parts[0]
    findings = tuple(sort_findings([f for p in parts for f in p.findings]))
    codes = [p.exit_code for p in parts] + [exit_code(findings, has_gaps=False, fail_on=first.fail_on)]
    if exit_zero:
        codes = [code for code in codes if code != EXIT_FINDINGS]
    return AuditResult(
        tool_version=first.tool_version,
        started_at=min(p.started_at for p in parts),
        duration_ms=max(p.duration_ms for p in parts),
        fail_on=first.fail_on,
        exit_code=combined_exit_code(codes),
        targets=tuple(dict.fromkeys(t for p in parts for t in p.targets)),
        findings=findings,
        gaps=tuple(dict.fromkeys(g for p in parts for g in p.gaps)),
        passes=tuple(sort_passes([x for p in parts for x in p.passes])),
        not_run=tuple(sort_not_run([x for p in parts for x in p.not_run])),
        rules=_merge_rules(parts),
        min_severity=first.min_severity,
        waivers=_merge_waivers([p.waivers for p in parts]),
        policy=first.policy,
        samples=max(p.samples for p in parts),
        checklist=_merge_checklists([p.checklist for p in parts if p.checklist is not None]),
        assumed_clients=tuple(sorted({c for p in parts for c in p.assumed_clients})),
        clusters=tuple(dict.fromkeys(c for p in parts for c in p.clusters)),
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Worst first, then stage, rule, resource (cluster last: fleets keep a resource's clusters together)."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.stage.value, f.rule_id, *_resource_key(f.resource)))


def sort_passes(passes: list[Pass]) -> list[Pass]:
    """Rule, kind, resource name, cluster. Without clusters (one cluster's run) the key is taken
    in C (attrgetter), which orders alike: the sort is stable and no cluster breaks a tie."""
    if set(map(_CLUSTER, passes)) - {None}:
        return sorted(passes, key=lambda p: (p.rule_id, p.resource.kind, *_resource_key(p.resource)))
    return sorted(passes, key=_PASS_KEY)


_PASS_KEY = attrgetter("rule_id", "resource.kind", "resource.name")
_CLUSTER = attrgetter("resource.cluster")


def sort_not_run(not_run: list[NotRun]) -> list[NotRun]:
    return sorted(not_run, key=lambda n: (n.rule_id, n.resource.kind, *_resource_key(n.resource)))


def _resource_key(resource: Resource) -> tuple[str, str]:
    return resource.name, resource.cluster or ""


def _merge_rules(parts: Sequence[AuditResult]) -> tuple[RuleInfo, ...]:
    """Every rule that ran in any part, in id order, as the first part that ran it describes it."""
    rules: dict[str, RuleInfo] = {}
    for part in parts:
        for rule in part.rules:
            rules.setdefault(rule.id, rule)
    return tuple(rules[rule_id] for rule_id in sorted(rules))


def _same(parts: Sequence[AuditResult], what: str, values: list[str | None]) -> None:
    distinct = list(dict.fromkeys(values))
    if len(distinct) > 1:
        shown = ", ".join(str(v) for v in distinct)
        raise InputError(f"the reports differ in {what} ({shown}): merge reports of runs with the same flags")


def _merge_waivers(uses: Sequence[tuple[WaiverUse, ...]]) -> tuple[WaiverUse, ...]:
    """Each waiver once: applied where any part applied it, its matches summed."""
    merged: dict[object, WaiverUse] = {}
    for part in uses:
        for use in part:
            earlier = merged.get(use.waiver)
            if earlier is None:
                merged[use.waiver] = use
                continue
            status = "applied" if "applied" in (earlier.status, use.status) else earlier.status
            merged[use.waiver] = WaiverUse(use.waiver, status, earlier.matched + use.matched)
    return tuple(merged.values())


def _merge_checklists(checklists: Sequence[Checklist]) -> Checklist | None:
    if not checklists:
        return None
    services = tuple(s for c in checklists for s in c.services)
    return replace(checklists[0], services=services)
