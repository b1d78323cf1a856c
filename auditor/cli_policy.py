"""The audit command's policy, waiver, baseline and sampling flags, turned into AuditOptions."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cli_options import a_number
from auditor.errors import InputError
from auditor.policy import FAIL_ON_CHOICES, parse_fail_on
from auditor.userregex import compile_user_regex

if TYPE_CHECKING:
    from auditor.audit import AuditOptions
    from auditor.engine import Rule
    from auditor.fleet import FleetMember
    from auditor.policyfile import Policy

PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="Policy file (default: the nearest .kafka-audit.yaml, .kafka-audit.yml or pyproject.toml "
        "[tool.kafka-audit] from the working folder up to the repository root).",
    ),
]
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        metavar="RULES",
        help="Run only these rules: ids or names, globs (STO01*), comma-separated or repeated.",
    ),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option("--ignore", metavar="RULES", help="Do not run these rules: ids or names, globs, comma-separated."),
]
TopicOption = Annotated[
    list[str] | None,
    typer.Option("--topic", metavar="REGEX", help="Audit only topics matching (repeatable); replaces the policy's."),
]
GroupOption = Annotated[
    list[str] | None,
    typer.Option("--group", metavar="REGEX", help="Audit only groups matching (repeatable); replaces the policy's."),
]
ExcludeInternalFlag = Annotated[
    bool, typer.Option("--exclude-internal", help="Leave out Kafka's internal topics (__consumer_offsets & co.).")
]
WaiversOption = Annotated[Path | None, typer.Option("--waivers", help="Waivers file, added to the policy's waivers.")]
NoWaiversFlag = Annotated[
    bool,
    typer.Option(
        "--no-waivers",
        help="Ignore every waiver, inline `kafka-audit: ignore[...]` comments too: the unfiltered truth.",
    ),
]
BaselineOption = Annotated[
    Path | None, typer.Option("--baseline", help="Fail only on findings beyond this baseline (--write-baseline).")
]
WriteBaselineOption = Annotated[
    Path | None, typer.Option("--write-baseline", help="Record this run's findings as the accepted baseline.")
]
SamplesOption = Annotated[
    int,
    typer.Option(
        "--samples",
        min=1,
        max=1_000,
        help="Read partition state N times, all within --timeout; report partition findings held in all.",
    ),
]
ServicesOption = Annotated[
    Path | None,
    typer.Option("--services", help="Services manifest (a file with a 'services:' section); default: the policy's."),
]
AssumeDownOption = Annotated[
    list[str] | None,
    typer.Option(
        "--assume-down",
        metavar="broker:ID|rack:NAME",
        help="Judge the cluster as if broker:ID or rack:NAME were down (repeatable): a maintenance pre-flight.",
    ),
]
SampleIntervalOption = Annotated[
    float,
    typer.Option(
        "--sample-interval",
        min=0.0,
        max=3_600.0,
        callback=a_number,
        help="Seconds between samples (with --samples).",
    ),
]


@dataclass(frozen=True)
class CommandLineScope:
    """--select, --ignore, --topic, --group, --exclude-internal: applied over the policy file's."""

    select: Sequence[str] = field(default_factory=tuple)
    ignore: Sequence[str] = field(default_factory=tuple)
    topics: Sequence[str] = field(default_factory=tuple)
    groups: Sequence[str] = field(default_factory=tuple)
    exclude_internal: bool = False

    def over(self, policy: Policy, rules: Sequence[Rule]) -> Policy:
        from auditor.policyfile import RuleTuning

        chosen = _matching(rules, self.select, "--select") if self.select else {r.id for r in rules}
        dropped = {r.id for r in rules if r.id not in chosen} | _matching(rules, self.ignore, "--ignore")
        off = {rule_id: RuleTuning(off=True).over(policy.rules.get(rule_id, RuleTuning())) for rule_id in dropped}
        include = dict(policy.include)
        for scope, flag, patterns in (("topics", "--topic", self.topics), ("groups", "--group", self.groups)):
            if patterns:
                include[scope] = tuple(_regex(p, flag) for p in patterns)
        return replace(
            policy,
            rules={**policy.rules, **off},
            include=include,
            internal_topics=False if self.exclude_internal else policy.internal_topics,
        )


def comma_list(values: Iterable[str] | None) -> tuple[str, ...]:
    """Repeated and comma-separated values as one list: `--select STO001,STO002 --select PRD*`."""
    return tuple(part.strip() for value in values or () for part in value.split(",") if part.strip())


def _matching(rules: Sequence[Rule], patterns: Sequence[str], flag: str) -> set[str]:
    """Ids of the rules whose id or name matches a glob; a pattern that matches nothing is a usage error."""
    matched: set[str] = set()
    for pattern in patterns:
        hits = {r.id for r in rules if _glob(r.id, pattern) or _glob(r.name, pattern)}
        if not hits:
            raise InputError(f"{flag} {pattern!r} matches no rule id or name (kafka-audit rules list)")
        matched |= hits
    return matched


def _glob(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


def _regex(pattern: str, flag: str) -> str:
    """A --topic/--group pattern checked by the one compile function policy files use (RE2)."""
    compile_user_regex(pattern, flag)
    return pattern


def audit_options(
    *,
    fail_on: str | None,
    fail_on_gaps: bool,
    exit_zero: bool,
    policy: Path | None,
    waivers: Path | None,
    no_waivers: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    samples: int,
    sample_interval: float,
    assume_down: Sequence[str] = (),
    scope: CommandLineScope | None = None,
) -> AuditOptions:
    """Read and validate every file the flags name (InputError, exit 2, before any request)."""
    from auditor.audit import AuditOptions
    from auditor.baseline import load_baseline
    from auditor.engine import load_rules
    from auditor.policyfile import find_policy, load_policy, rule_index
    from auditor.waivers import load_waivers_file
    from auditor.whatif import parse_assume_down

    rules = load_rules()
    tuned = load_policy(find_policy(policy), rules)
    if scope is not None:
        tuned = scope.over(tuned, rules)
    if waivers is not None:
        ids = {key: rule.id for key, rule in rule_index(rules).items()}
        tuned = replace(tuned, waivers=tuned.waivers + load_waivers_file(waivers, ids))
    if no_waivers:
        tuned = replace(tuned, waivers=())
    if baseline is not None and write_baseline is not None:
        raise InputError("give --baseline or --write-baseline, not both")
    threshold = fail_on.strip().lower() if fail_on is not None else tuned.fail_on or "high"
    if threshold not in FAIL_ON_CHOICES:
        raise InputError(f"--fail-on must be one of {', '.join(FAIL_ON_CHOICES)}, not {threshold!r}")
    return AuditOptions(
        fail_on=parse_fail_on(threshold),
        fail_on_gaps=fail_on_gaps,
        exit_zero=exit_zero,
        policy=tuned,
        rules=tuple(rules),
        baseline=load_baseline(baseline) if baseline is not None else None,
        write_baseline=write_baseline,
        samples=samples,
        sample_interval_s=sample_interval,
        assume_down=parse_assume_down(assume_down),
        inline_waivers=not no_waivers,
    )


def fleet(
    named: list[str] | None,
    inventory: Path | None,
    command_config: Path | None,
    options: AuditOptions,
    has_cluster: bool,
) -> tuple[FleetMember, ...]:
    """The clusters of a fleet run: --cluster NAME=BOOTSTRAP, and the inventory's clusters (--clusters
    FILE, else the policy's `clusters:` when no --bootstrap-server or --snapshot names the cluster);
    `--cluster NAME` alone picks that cluster of the inventory (a CI matrix's shard)."""
    named = named or []
    defined, picked = [v for v in named if "=" in v], [v for v in named if "=" not in v]
    if (named or inventory is not None) and has_cluster:
        raise InputError("--cluster/--clusters audit a fleet: leave out --bootstrap-server and --snapshot")
    section = options.policy.clusters if options.policy is not None else None
    if not named and inventory is None and (section is None or has_cluster):
        return ()  # no fleet: its module (and the connection settings') is not imported
    from auditor.fleet import load_inventory, parse_cluster_option, parse_inventory, pick, unique
    from auditor.sources.connection import load_command_config

    listed: tuple[FleetMember, ...] = ()
    if inventory is not None:
        listed = load_inventory(inventory)
    elif section is not None and not has_cluster:
        listed = parse_inventory(section.value, section.where, section.folder)
    if picked:
        listed = pick(listed, picked)
    elif defined:
        listed = ()
    client = load_command_config(command_config) if command_config and defined else {}
    run_config = command_config if client else None
    members = unique([*(parse_cluster_option(v, client, run_config) for v in defined), *listed], "--cluster")
    if members and (options.samples > 1 or options.assume_down):
        raise InputError("--samples and --assume-down judge one cluster: not with a fleet")
    return members
