"""What several formats share: how a finding reads, where it is, how levels map."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from pathlib import PurePath, PurePosixPath

from auditor.findings import Finding, Location, Resource, RuleInfo, Severity, Stage, Status, WaiverUse
from auditor.model import ClusterGroup, Target
from auditor.result import AuditResult

CLUSTER_PREFIX = "kafka-cluster"  # the virtual path of what was read from a cluster (SARIF, terminal)
STAGE_ORDER = {stage: i for i, stage in enumerate(Stage)}

# SARIF result levels and GitHub annotation levels by severity (the mapping).
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


ASSUMED_NOTE = "client versions assumed (no build file or --client told them)"


def assumed_clients_text(result: AuditResult) -> str | None:
    """'client versions assumed (...): Java kafka-clients >=3.2,<4.0', or None when every client's
    version was told: each report's summary says it."""
    if not result.assumed_clients:
        return None
    return f"{ASSUMED_NOTE}: {', '.join(result.assumed_clients)}"


def where(location: Location) -> str:
    """config/app.yml:12 [prod]"""
    text = location.path if location.line is None else f"{location.path}:{location.line}"
    return text if location.profile is None else f"{text} [{location.profile}]"


# C0 and C1 control characters (ESC, CR, BEL, ...) and the bidirectional overrides: a broker,
# topic or file name carrying them could move the cursor, recolour or hide text in a terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """One line safe to print on a terminal: control characters (newlines too) shown as escapes, \\x1b."""
    return _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)


def location_text(finding: Finding, source_root: str | None) -> str:
    """Where a finding is, as terminals and editors link it: `path:line`, or `kafka-cluster/KIND/NAME`."""
    location = finding.location
    if location is None:
        return f"{CLUSTER_PREFIX}/{finding.resource.kind}/{finding.resource.name}"
    text = relative_path(location.path, source_root)
    text = text if location.line is None else f"{text}:{location.line}"
    return text if location.profile is None else f"{text} [{location.profile}]"


_SINGLE_VALUE = re.compile(r"^[^\s=]+( \(.*\))?$")  # `1`, `2 (replication factor 1)`: a value, maybe explained


def value_text(finding: Finding, source_root: str | None = None) -> str:
    """'retries=0 (client default ...); expected > 0': the value once, its source once, the expectation.

    The key is left out when the value already names it (`acks=all, min.insync.replicas=1`); the
    source is left out when it only repeats the finding's own file and line.
    """
    key, actual = finding.config_key, finding.actual
    value = f"{key}={actual}" if key and _SINGLE_VALUE.match(actual) else actual
    source = finding.actual_source
    if source is not None and source in own_file_sources(finding, source_root):
        source = None
    return f"{_with_source(value, source)}; expected {finding.expected}"


_EXPLAINED = re.compile(r"^(?P<value>[^\s(]+) \((?P<why>[^()]*)\)$")  # `min.insync.replicas=3 (replication factor 3)`


def _with_source(value: str, source: str | None) -> str:
    """The value and where it came from in one parenthesis: `3 (topic override; replication factor 3)`."""
    if source is None:
        return value
    explained = _EXPLAINED.match(value)
    if explained is None:
        return f"{value} ({source})"
    return f"{explained['value']} ({source}; {explained['why']})"


def own_file_sources(finding: Finding, source_root: str | None = None) -> set[str]:
    """How a provenance names the finding's own file and line (`set in config/app.yml:12`): said
    already by the location, so a report need not say it again."""
    if finding.location is None:
        return set()
    own = {where(finding.location), f"{finding.location.path}:{finding.location.line}"}
    own.add(location_text(finding, source_root))
    return {f"set in {w}" for w in own}


def relative_path(path: str, source_root: str | None) -> str:
    """A file path as the repository sees it: relative to `source_root` when it lies inside."""
    posix = PurePath(path).as_posix()
    if source_root is None or not PurePosixPath(posix).is_absolute():
        return posixpath.normpath(posix)
    root = PurePath(source_root).as_posix()
    relative = posixpath.relpath(posix, root)
    return posix if relative.startswith("..") else relative


def repository_path(path: str, source_root: str | None, working_dir: str | None) -> str:
    """A file path as code scanning and CI annotations need it: relative to the repository root
    (`sub/dup.properties` however deep the run started), or absolute when the file lies outside
    the root, which no root-relative path can name."""
    posix = PurePath(path).as_posix()
    if not PurePosixPath(posix).is_absolute():
        if working_dir is None:
            return posixpath.normpath(posix)
        posix = posixpath.join(PurePath(working_dir).as_posix(), posix)
    posix = posixpath.normpath(posix)
    if source_root is None:
        return posix
    relative = posixpath.relpath(posix, PurePath(source_root).as_posix())
    return posix if relative == ".." or relative.startswith("../") else relative


def outside_repository(path: str) -> bool:
    """True for what repository_path gives for a file outside the repository root."""
    return PurePosixPath(path).is_absolute()


def actual_text(finding: Finding) -> str:
    return _with_source(finding.actual, finding.actual_source)


def status_note(finding: Finding) -> str:
    """'' for a plain failure; why else it is listed, or why it does not gate."""
    if finding.status is Status.WAIVED:
        return f"waived: {finding.waiver_reason or 'no reason given'}"
    notes = []
    if finding.status is Status.UNKNOWN:
        notes.append("unknown: the value could not be determined, so it is not assumed fine")
    if finding.baselined:
        notes.append("baselined: known before (--baseline), does not gate")
    return "; ".join(notes)


def unapplied_waivers(result: AuditResult) -> list[WaiverUse]:
    """Waivers that did not apply: expired ones (their findings gate again) and unused ones."""
    return [use for use in result.waivers if use.status != "applied"]


def waiver_line(use: WaiverUse) -> str:
    waiver = use.waiver
    return (
        f"waiver {use.status}: {waiver.rule_id} {waiver.resource_text} "
        f"(owner {waiver.owner}, expires {waiver.expires}, {waiver.source})"
    )


def waiver_problems(result: AuditResult) -> list[str]:
    return [waiver_line(use) for use in unapplied_waivers(result)]


# Member names a cluster's line shows before "and N more" (a 265-topic module stays one line).
CLUSTER_NAMES_SHOWN = 5


def cluster_rows(result: AuditResult) -> list[tuple[str, str, str, str]]:
    """(cluster, why its members are together, brokers, topics) per cluster formed from files."""
    return [
        (group.name, group.evidence, _members(group, "broker"), _members(group, "topic")) for group in result.clusters
    ]


def _members(group: ClusterGroup, kind: str) -> str:
    names = [m.name for m in group.members if m.kind == kind]
    if not names:
        return "none"
    shown = ", ".join(names[:CLUSTER_NAMES_SHOWN])
    more = len(names) - CLUSTER_NAMES_SHOWN
    return f"{len(names)}: {shown}" + (f" and {more} more" if more > 0 else "")


def clusters_summary(result: AuditResult) -> str:
    """'2 clusters formed from files (docker-compose.yml: 3 brokers, 1 topic; Kafka/my-cluster: 1 broker)'."""
    groups = result.clusters
    if not groups:
        return ""
    each = "; ".join(f"{g.name}: {_counted(g)}" for g in groups[:CLUSTER_NAMES_SHOWN])
    more = f"; and {len(groups) - CLUSTER_NAMES_SHOWN} more" if len(groups) > CLUSTER_NAMES_SHOWN else ""
    noun = "cluster" if len(groups) == 1 else "clusters"
    return f"{len(groups)} {noun} formed from files ({each}{more})"


def _counted(group: ClusterGroup) -> str:
    brokers, topics = group.count("broker"), group.count("topic")
    text = f"{brokers} broker{'' if brokers == 1 else 's'}"
    return text + (f", {topics} topic{'' if topics == 1 else 's'}" if topics else "")


def finding_text(finding: Finding) -> str:
    """One paragraph that says everything about a finding, for formats with a single message field."""
    parts = [
        finding.message,
        f"Actual: {value_text(finding)}.",
        f"Fix: {finding.remediation}",
    ]
    note = status_note(finding)
    if note:
        parts.insert(0, f"[{note}]")
    return " ".join(parts)


@dataclass(frozen=True)
class Case:
    """One rule judged on one resource: a finding, or a pass (finding None)."""

    rule_id: str
    resource: Resource
    location: Location | None
    finding: Finding | None


def cases(result: AuditResult, with_passes: bool = True) -> Iterator[tuple[Target, list[Case]]]:
    """Every judged (rule, resource) pair, grouped by target in target order (each target, even
    one without a case), sorted within; `with_passes=False`: the findings only."""
    every = [Case(f.rule_id, f.resource, f.location, f) for f in result.findings]
    if with_passes:
        every += [Case(p.rule_id, p.resource, p.location, None) for p in result.passes]
    groups: dict[Target, list[Case]] = {t: [] for t in result.targets}
    for case in every:
        groups.setdefault(result.target_of(case.location, case.resource.cluster), []).append(case)
    for target, members in groups.items():
        yield target, sorted(members, key=lambda c: report_order(c.rule_id, c.resource, c.location))


def report_order(rule_id: str, resource: Resource, location: Location | None) -> tuple[str, str, str, str, int]:
    """The deterministic order of checks in machine reports: rule, resource, file, line."""
    path, line = (location.path, location.line or 0) if location else ("", 0)
    return (rule_id, resource.kind, resource.name, path, line)


def rule_infos(result: AuditResult) -> list[RuleInfo]:
    """The rules that ran, in id order; a rule known only from a finding is described by it."""
    known = {r.id: r for r in result.rules}
    for finding in result.findings:
        known.setdefault(finding.rule_id, _info_from(finding))
    return [known[rule_id] for rule_id in sorted(known)]


def _info_from(finding: Finding) -> RuleInfo:
    return RuleInfo(
        id=finding.rule_id,
        name=finding.rule_name,
        title=finding.title,
        stage=finding.stage,
        severity=finding.severity,
        rationale=finding.title,
        remediation=finding.remediation,
    )


def counts_line(result: AuditResult) -> str:
    """'4 finding(s): 2 critical, 1 high, 1 medium; 1 waived' or 'no findings'."""
    if not result.findings:
        return "no findings"
    text = f"{len(result.findings)} finding(s): " + ", ".join(f"{n} {s}" for s, n in result.by_severity().items())
    statuses = result.by_status()
    if set(statuses) != {"fail"}:
        text += "; " + ", ".join(f"{n} {s}" for s, n in statuses.items())
    return text


def stage_severity_counts(result: AuditResult) -> dict[Stage, dict[Severity, int]]:
    """Findings (waived excluded) by stage and severity: the matrix of the summary and the chart."""
    matrix = {stage: dict.fromkeys(Severity, 0) for stage in Stage}
    for finding in result.findings:
        if finding.status is not Status.WAIVED:
            matrix[finding.stage][finding.severity] += 1
    return matrix


def by_stage_then_severity(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (STAGE_ORDER[f.stage], -f.severity.rank, f.rule_id, f.resource.name))


def verdict(result: AuditResult) -> str:
    """What the exit code means, in words."""
    return {
        0: "passes the gate",
        1: f"fails the gate (fail-on {result.fail_on_label})",
        4: "incomplete: some resources could not be read (--fail-on-gaps)",
    }.get(result.exit_code, "did not complete")


def check_counts(result: AuditResult) -> str:
    """'12 checks: 6 passed, 3 failed, 1 unknown, 1 waived; 1 baselined; 1 waiver expired'"""
    statuses = result.by_status()
    parts = [f"{len(result.passes)} passed"]
    parts += [f"{statuses[s]} {'failed' if s == 'fail' else s}" for s in ("fail", "unknown", "waived") if s in statuses]
    text = f"{len(result.passes) + len(result.findings)} checks: " + ", ".join(parts)
    baselined = sum(1 for f in result.findings if f.baselined)
    if baselined:
        text += f"; {baselined} baselined"
    fates = Counter(use.status for use in result.waivers if use.status != "applied")
    return text + "".join(f"; {n} waiver(s) {status}" for status, n in sorted(fates.items()))


# Beyond this many passes in a run, the formats read by people and CI tabs (table, markdown,
# html, junit, sarif) show passes per rule and target, never one by one, and say so; the JSON
# report, the source of truth, always lists every pass (docs/benchmarks.md "Reports").
PASSES_LISTED = 2_000


@dataclass(frozen=True)
class PassCount:
    """How many resources of which kinds passed one rule in one target."""

    target: Target
    rule_id: str
    kinds: tuple[str, ...]
    count: int


def passes_aggregated(result: AuditResult) -> bool:
    return len(result.passes) > PASSES_LISTED


def passes_notice(result: AuditResult) -> str:
    """'50111 passes shown per rule and target: more than 2000 in the run (the JSON report lists each)'"""
    return (
        f"{len(result.passes)} passes shown per rule and target: more than {PASSES_LISTED} in the run "
        "(the JSON report lists each)"
    )


def pass_count_text(result: AuditResult, row: PassCount) -> str:
    """'STO010 isr-below-replicas: 6000 passed (partition)'"""
    rule = result.rule(row.rule_id)
    name = f" {rule.name}" if rule else ""
    return f"{row.rule_id}{name}: {row.count} passed ({', '.join(row.kinds)})"


def pass_counts(result: AuditResult) -> list[PassCount]:
    """The run's passes counted per target (in target order) and rule (in id order): one C-level
    count over the passes (2.5 million at 300,000 partitions), then Python over the few keys."""
    fields = attrgetter("rule_id", "resource.kind", "location", "resource.cluster")
    counts: Counter[tuple[Target, str]] = Counter()
    kinds: dict[tuple[Target, str], set[str]] = {}
    for (rule_id, kind, location, cluster), count in Counter(map(fields, result.passes)).items():
        key = (result.target_of(location, cluster), rule_id)
        counts[key] += count
        kinds.setdefault(key, set()).add(str(kind))
    order = {target: i for i, target in enumerate(result.targets)}
    keys = sorted(counts, key=lambda key: (order.get(key[0], len(order)), key[0].name, key[1]))
    return [PassCount(target, rule, tuple(sorted(kinds[target, rule])), counts[target, rule]) for target, rule in keys]


def passes_lines(result: AuditResult) -> list[str]:
    """Beyond PASSES_LISTED passes: what passed, per target and rule, under a line saying so."""
    if not passes_aggregated(result):
        return []
    lines = ["", printable(passes_notice(result)) + ":"]
    shown: Target | None = None
    for row in pass_counts(result):
        if row.target != shown:
            shown = row.target
            lines.append(f"  {row.target.kind} {printable(row.target.name)}")
        lines.append(f"    {printable(pass_count_text(result, row))}")
    return lines
