"""The library API: run an audit without the CLI (tests, CI jobs and other programs call this)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from auditor import __version__
from auditor.baseline import apply_baseline, baseline_counts, write_baseline
from auditor.checklist import build_checklist, checklist_members
from auditor.engine import Rule, evaluate, judge_all, load_rules
from auditor.engine.templates import PLACEHOLDER
from auditor.errors import ClusterUnreachable, InputError
from auditor.facts import subjects
from auditor.facts.clients import assumed_versions
from auditor.facts.clusters import cluster_groups
from auditor.findings import Finding, NotRun, Pass, Resource, RuleInfo, Severity
from auditor.merge import merge_results, sort_findings, sort_not_run
from auditor.model import ClusterSnapshot, CoverageGap, Estate, Kind, Service, Target, TargetKind
from auditor.policy import EXIT_UNREACHABLE, exit_code
from auditor.policyfile import Policy, rule_index
from auditor.result import AuditResult
from auditor.sampling import check_sampling, collect_samples, keep_steady
from auditor.sources.services import with_services
from auditor.sources.source_lines import SourceLines
from auditor.waivers import apply_waivers, inline_waivers
from auditor.whatif import AssumeDown, assume_down

if TYPE_CHECKING:
    from auditor.fleet import FleetMember
    from auditor.sources.connect_rest import ConnectRead, ConnectSettings
    from auditor.sources.connection import ConnectionSettings
    from auditor.sources.live import Progress


@dataclass(frozen=True)
class AuditOptions:
    fail_on: Severity | None = Severity.HIGH
    fail_on_gaps: bool = False
    exit_zero: bool = False
    rules: tuple[Rule, ...] | None = None  # already loaded (the CLI loads them to check the policy)
    policy: Policy | None = None  # severities, params, scope and waivers (policyfile.load_policy)
    baseline: Mapping[str, int] | None = None  # fingerprint -> count (baseline.load_baseline)
    write_baseline: Path | None = None  # record this run's unwaived findings there, and accept them
    today: date | None = None  # waivers expire after their date; None: today
    samples: int = 1  # live only: partition findings must hold in every sample
    sample_interval_s: float = 5.0
    assume_down: AssumeDown | None = None  # judge the cluster as if these brokers or racks were down
    inline_waivers: bool = True  # `kafka-audit: ignore[RULE] reason` comments in the audited files


@dataclass(frozen=True)
class FileSources:
    """Configuration files to audit: PATHs (files or folders), optional format and client overrides."""

    paths: tuple[str, ...]
    file_format: str | None = None
    client: str | None = None  # NAME[@VERSION]


@dataclass(frozen=True)
class Sources:
    """What one run audits: a live cluster or a snapshot of one, and/or configuration files."""

    cluster: ConnectionSettings | None = None
    snapshot: Path | None = None
    files: FileSources | None = None
    services: tuple[Service, ...] = ()  # the services manifest (policy `services:` or --services)
    cluster_name: str | None = None  # a fleet's cluster: its target and every resource of it name it
    connect: tuple[ConnectSettings, ...] = ()  # Kafka Connect REST APIs (--connect-url)
    log_dirs: bool = False  # a plan: the live cluster's replica sizes too (DescribeLogDirs), same session
    read_cluster: ClusterSnapshot | None = None  # the cluster as already read (--fix's later rounds)


def declared_services(path: Path | None, policy: Policy | None) -> tuple[Service, ...]:
    """The services manifest: the file at `path`, else the policy's `services:` section. Raises InputError."""
    from auditor.sources.services import load_services_file, parse_services

    if path is not None:
        return load_services_file(path)
    section = policy.services if policy is not None else None
    return parse_services(section.value, section.where, section.folder) if section is not None else ()


def audit_cluster(settings: ConnectionSettings, options: AuditOptions, progress: Progress | None = None) -> AuditResult:
    """Collect from a live cluster, judge, gate. Raises InputError / ClusterUnreachable."""
    return audit_sources(Sources(cluster=settings), options, progress)


def audit_sources(sources: Sources, options: AuditOptions, progress: Progress | None = None) -> AuditResult:
    """Read the files, then the cluster or snapshot, judge everything together, gate.

    Rules and files are read first: a broken rule file or an unparsable config file is exit 2
    before any request to the cluster, and nothing is half-reported.
    """
    return audit_with_estate(sources, options, progress)[0]


def audit_with_estate(
    sources: Sources, options: AuditOptions, progress: Progress | None = None
) -> tuple[AuditResult, Estate]:
    """audit_sources, and the estate it judged (the cluster as --assume-down makes it): a plan
    changes the cluster the audit read, under the same flags."""
    files = sources.files if sources.files and sources.files.paths else None
    if sources.cluster is not None and sources.snapshot is not None:
        raise InputError("a live cluster and a snapshot cannot be audited in one run: give one of them")
    has_cluster = sources.cluster is not None or sources.snapshot is not None or sources.read_cluster is not None
    if options.assume_down and not has_cluster:
        raise InputError("assuming brokers down needs a cluster to judge: a live cluster or a snapshot")
    if not (has_cluster or files or sources.services or sources.connect):
        raise InputError("nothing to audit: no files, cluster, snapshot, Connect cluster or services manifest given")
    clock = _Clock()
    rules = list(options.rules) if options.rules is not None else load_rules()
    estate, targets = read_files(files) if files else (Estate(), ())
    estate, declared = with_services(estate, sources.services)
    estate, connect = with_connect(estate, sources.connect)
    targets = (*targets, *declared, *connect)
    cluster = _read_cluster(sources, options, progress, _lag_probes(rules, options))
    earlier: Sequence[ClusterSnapshot] = ()
    if cluster is not None:
        snapshots, target, saved = cluster
        estate, saved_targets = with_connect_reads(estate, saved, "kafka-audit-snapshot")
        targets = (*targets, *saved_targets)
        if options.assume_down and sources.read_cluster is None:  # a cluster read before is assumed down already
            snapshots = [assume_down(s, options.assume_down) for s in snapshots]
        estate, targets = replace(estate, cluster=snapshots[-1]), (target, *targets)
        earlier = snapshots[:-1]
        if progress is not None:
            progress(judging_step(snapshots[-1]))
    return audit_estate(estate, targets, rules, options, clock, earlier, sources.cluster_name), estate


def judging_step(cluster: ClusterSnapshot) -> str:
    """The progress line while a cluster's facts are built and judged (seconds at 20,000 topics)."""
    partitions = sum(len(t.partitions) for t in cluster.topics)
    return f"judging {len(cluster.topics):,} topics ({partitions:,} partitions) and {len(cluster.groups):,} groups"


def audit_fleet(
    members: Sequence[FleetMember],
    timeout_s: float,
    sources: Sources,
    options: AuditOptions,
    progress: Progress | None = None,
) -> AuditResult:
    """Every cluster of the fleet (at once, bounded) and the files and services of `sources`,
    judged as one run: one result, each cluster its own target, one exit code."""
    from auditor.fleet import audit_members

    clock = _Clock()
    each = replace(options, write_baseline=None)

    def audit_one(member: FleetMember) -> AuditResult:
        settings = member.settings(timeout_s)
        member_sources = Sources(cluster=settings, services=member.services, cluster_name=member.name)
        return audit_sources(member_sources, each, _prefixed(progress, member.name))

    def unreachable(member: FleetMember, error: ClusterUnreachable) -> AuditResult:
        return _not_audited(member.name, str(error), options, clock)

    parts = audit_members(members, audit_one, unreachable)
    if (sources.files and sources.files.paths) or sources.services:
        parts.append(audit_sources(replace(sources, cluster=None, snapshot=None), each))
    merged = merge_results(parts, options.exit_zero)
    merged = replace(merged, started_at=clock.started.isoformat(timespec="seconds"), duration_ms=clock.elapsed_ms())
    return _accept_as_baseline(merged, options) if options.write_baseline is not None else merged


def _prefixed(progress: Progress | None, name: str) -> Progress | None:
    if progress is None:
        return None
    report = progress
    return lambda message: report(f"{name}: {message}")


def _not_audited(name: str, reason: str, options: AuditOptions, clock: _Clock) -> AuditResult:
    """A cluster of the fleet that could not be reached: a gap, and exit 3 for the whole run."""
    return AuditResult(
        tool_version=__version__,
        started_at=clock.started.isoformat(timespec="seconds"),
        duration_ms=clock.elapsed_ms(),
        fail_on=options.fail_on,
        exit_code=EXIT_UNREACHABLE,
        targets=(Target(TargetKind.CLUSTER, name, "kafka"),),
        findings=(),
        gaps=(CoverageGap(f"cluster {name}", f"not audited: {reason}"),),
    )


def _accept_as_baseline(result: AuditResult, options: AuditOptions) -> AuditResult:
    """--write-baseline for a fleet: every cluster's findings recorded in one file, and accepted."""
    assert options.write_baseline is not None
    write_baseline(options.write_baseline, result.findings)
    findings = tuple(apply_baseline(result.findings, baseline_counts(result.findings)))
    code = exit_code(
        findings,
        has_gaps=bool(result.gaps),
        fail_on=options.fail_on,
        fail_on_gaps=options.fail_on_gaps,
        exit_zero=options.exit_zero,
    )
    unaudited = result.exit_code == EXIT_UNREACHABLE  # a cluster not reached stays exit 3
    return replace(result, findings=findings, exit_code=result.exit_code if unaudited else code)


def with_connect(estate: Estate, settings: Sequence[ConnectSettings]) -> tuple[Estate, tuple[Target, ...]]:
    """The estate with what each Connect cluster's REST API shows: its workers, connectors (and the
    MirrorMaker 2 flows among them) and what could not be read. Raises ClusterUnreachable."""
    return with_connect_reads(estate, read_connects(settings), "connect-rest")


def read_connects(settings: Sequence[ConnectSettings]) -> tuple[ConnectRead, ...]:
    """Each Connect cluster's REST API, read in turn. Raises ClusterUnreachable."""
    if not settings:
        return ()  # the REST reader (ssl, urllib) is imported only when a --connect-url is given
    from auditor.sources.connect_rest import read_connect

    return tuple(read_connect(one) for one in settings)


def with_connect_reads(estate: Estate, reads: Sequence[ConnectRead], fmt: str) -> tuple[Estate, tuple[Target, ...]]:
    """The estate with the Connect clusters read (live, or saved in a snapshot); one target each."""
    targets: list[Target] = []
    for read in reads:
        estate = replace(
            estate,
            connect_workers=estate.connect_workers + read.workers,
            connectors=estate.connectors + read.connectors,
            mirror_flows=estate.mirror_flows + read.mirrors,
            gaps=estate.gaps + read.gaps,
        )
        targets.extend(Target(TargetKind.CONNECT, w.url or w.path, fmt) for w in read.workers)
    return estate, tuple(targets)


def _lag_probes(rules: list[Rule], options: AuditOptions) -> tuple[float, ...]:
    """The shares of retention.ms to probe a live cluster's group offsets at: the rules' (as the
    policy tunes them) thresholds of time lag."""
    from auditor.engine.probes import retention_shares

    return retention_shares((options.policy or Policy()).tune(rules))


def _read_cluster(
    sources: Sources, options: AuditOptions, progress: Progress | None, shares: Sequence[float]
) -> tuple[list[ClusterSnapshot], Target, tuple[ConnectRead, ...]] | None:
    """The snapshot (with the Connect clusters saved in it), or the live cluster read
    `options.samples` times (the last one is reported)."""
    if sources.read_cluster is not None:
        name = sources.cluster_name or sources.read_cluster.bootstrap
        return [sources.read_cluster], Target(kind=TargetKind.CLUSTER, name=name, format="kafka"), ()
    if sources.snapshot is not None:
        from auditor.sources.snapshot import read_snapshot_connect

        target = Target(TargetKind.SNAPSHOT, str(sources.snapshot), "kafka-audit-snapshot")
        snapshot, saved = read_snapshot_connect(sources.snapshot)
        return [snapshot], target, saved
    if sources.cluster is not None:
        from auditor.sources.connection import MIN_REQUEST_S
        from auditor.sources.live import collect

        settings = sources.cluster

        def read(budget_s: float) -> ClusterSnapshot:
            return collect(replace(settings, timeout_s=budget_s), progress, shares, sources.log_dirs)

        if options.samples > 1:
            check_sampling(options.samples, options.sample_interval_s, settings.timeout_s, MIN_REQUEST_S)
        snapshots = collect_samples(read, options.samples, options.sample_interval_s, settings.timeout_s)
        name = sources.cluster_name or snapshots[-1].bootstrap
        return snapshots, Target(TargetKind.CLUSTER, name, "kafka", via=settings.bootstrap_from), ()
    return None


def read_files(files: FileSources) -> tuple[Estate, tuple[Target, ...]]:
    """What configuration files declare, as an estate without a cluster. Raises InputError."""
    from auditor.sources.files import parse_client_option, read_paths

    read_options = parse_client_option(files.client) if files.client else None
    found = read_paths(files.paths, files.file_format, read_options)
    estate = Estate(
        clients=found.clients,
        brokers=found.brokers,
        topics=found.topics,
        gaps=found.gaps,
        connect_workers=found.workers,
        connectors=found.connectors,
        streams_apps=found.streams,
        mirror_flows=found.mirrors,
        streams_handlers=found.handlers,
    )
    return estate, found.targets


def take_snapshot(
    settings: ConnectionSettings,
    output: Path,
    progress: Progress | None = None,
    pretty: bool | None = None,
    connect: Sequence[ConnectSettings] = (),
) -> tuple[ClusterSnapshot, tuple[ConnectRead, ...]]:
    """Collect from a live cluster (and the Connect clusters' REST APIs) and write the redacted
    snapshot to `output` (indented when `pretty`, or when small); group offsets are probed at the
    built-in rules' time-lag thresholds. Raises ClusterUnreachable before writing anything."""
    from auditor.sources.live import collect
    from auditor.sources.snapshot import write_snapshot

    reads = read_connects(connect)
    snapshot = collect(settings, progress, _lag_probes(load_rules(), AuditOptions()))
    write_snapshot(snapshot, output, pretty, reads)
    return snapshot, reads


def audit_estate(
    estate: Estate,
    targets: tuple[Target, ...],
    rules: list[Rule],
    options: AuditOptions,
    clock: _Clock | None = None,
    earlier: Sequence[ClusterSnapshot] = (),
    cluster_name: str | None = None,
) -> AuditResult:
    """Judge what the sources read under the policy, apply waivers and baseline, and gate it.

    `earlier` are previous samples of the cluster: partition findings must hold in each.
    `cluster_name` (a fleet's cluster) is set on every finding's and pass's resource.
    """
    clock = clock or _Clock()
    policy = options.policy or Policy()
    estate = _with_groupings(estate, policy)
    members = checklist_members(rules)  # as the catalog says, before the policy turns rules off
    rule_ids = {key: rule.id for key, rule in rule_index(rules).items()}
    rules = policy.tune(rules)
    judged = policy.scope(subjects(replace(estate, broker_defaults=policy.broker_defaults)))
    verdicts = judge_all(rules, judged)
    found = keep_steady(verdicts.findings, rules, earlier, policy.scope, options.sample_interval_s)
    passed, not_run = verdicts.passes, verdicts.not_run
    if cluster_name is not None:
        found, passed, not_run = _in_cluster(found, passed, not_run, cluster_name)
    lines = SourceLines()
    found = with_snippets(found, lines)
    files = [t.name for t in targets if t.kind is TargetKind.FILE]
    inline, suppression_gaps = inline_waivers(found, rule_ids, lines, files) if options.inline_waivers else ((), ())
    waivers = (*policy.waivers, *inline)
    findings, waiver_uses = apply_waivers(sort_findings(found), waivers, options.today or date.today())
    if options.write_baseline is not None:
        write_baseline(options.write_baseline, findings)
    baseline = baseline_counts(findings) if options.write_baseline is not None else options.baseline
    if baseline is not None:
        findings = apply_baseline(findings, baseline)
    gaps = estate.all_gaps + suppression_gaps
    code = exit_code(
        findings,
        has_gaps=bool(gaps),
        fail_on=options.fail_on,
        fail_on_gaps=options.fail_on_gaps,
        exit_zero=options.exit_zero,
    )
    return AuditResult(
        tool_version=__version__,
        started_at=clock.started.isoformat(timespec="seconds"),
        duration_ms=clock.elapsed_ms(),
        fail_on=options.fail_on,
        exit_code=code,
        targets=targets,
        findings=tuple(findings),
        gaps=gaps,
        passes=tuple(passed),  # judge_all yields them in report order (rule, kind, name)
        not_run=tuple(sort_not_run(not_run)),
        rules=tuple(rule_info(rule) for rule in rules),
        waivers=tuple(waiver_uses),
        policy=policy.source,
        samples=len(earlier) + 1,
        assumed_clients=assumed_versions(estate.clients),
        checklist=build_checklist(
            members, estate.services, judged.get(Kind.WRITE, ()), findings, passed, _what_if(options)
        ),
        clusters=cluster_groups(estate.brokers, estate.topics, estate.groupings),
    )


def _with_groupings(estate: Estate, policy: Policy) -> Estate:
    """The clusters the policy's `clusters:` entries with `files:` declare, for the files' brokers and topics."""
    section = policy.clusters
    if section is None or not (estate.brokers or estate.topics):
        return estate
    from auditor.fleet import parse_groupings

    return replace(estate, groupings=parse_groupings(section.value, section.where, section.folder))


def with_snippets(findings: Sequence[Finding], lines: SourceLines) -> list[Finding]:
    """Each file finding with the source line it points at (`retries=0`), for reports to show;
    lines that may hold a secret are left out."""
    shown = []
    for finding in findings:
        location = finding.location
        if location is not None and location.line is not None and location.snippet is None:
            snippet = lines.snippet(location.path, location.line)
            if snippet is not None:
                finding = replace(finding, location=replace(location, snippet=snippet))
        shown.append(finding)
    return shown


def _in_cluster(
    found: list[Finding], passed: list[Pass], not_run: list[NotRun], name: str
) -> tuple[list[Finding], list[Pass], list[NotRun]]:
    """Every resource marked as in cluster `name`; one Resource object per resource, shared."""
    tagged: dict[Resource, Resource] = {}

    def there(resource: Resource) -> Resource:
        if resource not in tagged:
            tagged[resource] = replace(resource, cluster=name)
        return tagged[resource]

    return (
        [replace(f, resource=there(f.resource)) for f in found],
        [Pass(p.rule_id, there(p.resource), p.location) for p in passed],
        [replace(n, resource=there(n.resource)) for n in not_run],
    )


def _what_if(options: AuditOptions) -> str | None:
    return options.assume_down.describe() if options.assume_down else None


def judge(estate: Estate, rules: list[Rule]) -> list[Finding]:
    return sort_findings(evaluate(rules, subjects(estate)))


def rule_info(rule: Rule) -> RuleInfo:
    """What reports say about a rule; its remediation names per-resource values as <topic>, <bootstrap>."""
    return RuleInfo(
        id=rule.id,
        name=rule.name,
        title=rule.title,
        stage=rule.stage,
        severity=rule.severity_override or rule.severity,
        rationale=rule.rationale,
        remediation=PLACEHOLDER.sub(r"<\1>", rule.remediation),
        references=rule.references,
    )


class _Clock:
    def __init__(self) -> None:
        self.started = datetime.now(timezone.utc)
        self._start = time.monotonic()

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self._start) * 1000)
