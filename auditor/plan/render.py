"""The plan's files: reassignment.json (and its rollback), election.json, apply.sh, plan.md.

Pure functions of the plan. Every value that reaches apply.sh is shell-quoted; topic names are
also limited by Kafka to [a-zA-Z0-9._-].
"""

from __future__ import annotations

import json
import shlex
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditor.findings import Finding
from auditor.model import CoverageGap
from auditor.plan.placement import Move, bytes_to_move
from auditor.plan.steps import ConfigChange, Plan, Step


@dataclass(frozen=True)
class PlanContext:
    """How the plan's commands reach the cluster, and what moving data costs."""

    bootstrap: str
    command_config: str | None
    throttle_bytes_per_s: int
    sizes: Mapping[tuple[str, int], int] | None  # DescribeLogDirs; None when not read
    sizes_gap: str | None = None  # why the sizes are not known
    gaps: tuple[CoverageGap, ...] = ()  # what the audit behind the plan could not read
    elsewhere: tuple[Finding, ...] = ()  # failing findings in files: `audit --fix`, not this plan
    written_by: str = "kafka-audit"


def reassignment_json(moves: Sequence[Move], rollback: bool = False) -> str:
    """The file kafka-reassign-partitions --execute takes (rollback: the replicas as they are now)."""
    partitions = [
        {"topic": m.topic, "partition": m.partition, "replicas": list(m.current if rollback else m.target)}
        for m in moves
    ]
    return json.dumps({"version": 1, "partitions": partitions}, indent=2) + "\n"


def election_json(moves: Sequence[Move]) -> str:
    """The partitions whose preferred leader the plan chose, for kafka-leader-election --path-to-json-file."""
    partitions = [{"topic": m.topic, "partition": m.partition} for m in moves]
    return json.dumps({"partitions": partitions}, indent=2) + "\n"


def apply_script(plan: Plan, context: PlanContext) -> str:
    lines = [*_script_header(plan, context)]
    steps = _numbered_steps(plan)
    for number, step in enumerate(steps, 1):
        lines.append("")
        if step is Step.REPLICATION:
            lines.extend(_replication_commands(plan, context, number, len(steps)))
        else:
            lines.extend(_config_commands(plan, step, number, len(steps)))
    lines += ["", 'echo "kafka-audit plan applied: audit again to confirm the findings are gone." >&2', ""]
    return "\n".join(lines)


STEP_TITLES = {
    Step.REPLICATION: "raise the replication factor",
    Step.TOPIC_MIN_ISR: "min.insync.replicas on the topics that set their own",
    Step.TOPIC_UNCLEAN: "unclean leader election off on the topics that set their own",
    Step.BROKER_DEFAULTS: "broker defaults (cluster-wide, or the brokers that set their own)",
}


def _numbered_steps(plan: Plan) -> list[Step]:
    present = {c.step for c in plan.changes}
    if plan.moves:
        present.add(Step.REPLICATION)
    return sorted(present)


def _script_header(plan: Plan, context: PlanContext) -> list[str]:
    config = context.command_config or ""
    return [
        "#!/usr/bin/env bash",
        f"# kafka-audit plan for {_comment(context.bootstrap)}: the changes that clear the store findings",
        "# (see plan.md), in an order that never makes a topic unwritable. Written by",
        f"# {context.written_by}; it changes nothing until you run it. Review it, then:",
        "#   KAFKA_BIN=/path/to/kafka/bin KAFKA_COMMAND_CONFIG=admin.properties bash apply.sh",
        "# KAFKA_COMMAND_CONFIG must name a principal allowed to alter configs and reassign partitions",
        "# (the audit's own least-privilege user is not). It stops at the first failing command.",
        "set -euo pipefail",
        'KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"',
        'PLAN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
        f"BOOTSTRAP={shlex.quote(context.bootstrap)}",
        f"COMMAND_CONFIG=${{KAFKA_COMMAND_CONFIG-{shlex.quote(config)}}}",
        'CONNECT=(--bootstrap-server "$BOOTSTRAP")',
        'if [ -n "$COMMAND_CONFIG" ]; then CONNECT+=(--command-config "$COMMAND_CONFIG"); fi',
        "",
        'kafka() { local tool=$1; shift; "$KAFKA_BIN/$tool.sh" "${CONNECT[@]}" "$@"; }',
    ]


def _replication_commands(plan: Plan, context: PlanContext, number: int, total: int) -> list[str]:
    moved = len({m.topic for m in plan.moves})
    into, _ = bytes_to_move(plan.moves, context.sizes or {})
    pattern = "|".join(sorted({m.topic.replace(".", "\\.") for m in plan.moves}))
    return [
        f"# Step {number} of {total}: {STEP_TITLES[Step.REPLICATION]} to {plan.target_replication_factor} (STO001):",
        f"# {len(plan.moves)} partition(s) of {moved} topic(s); {_data_summary(into, context)}.",
        "# Undo (before it completes): kafka-reassign-partitions.sh --cancel; after: rollback.json.",
        'kafka kafka-reassign-partitions --reassignment-json-file "$PLAN_DIR/reassignment.json" --execute '
        f"--throttle {context.throttle_bytes_per_s}",
        "# Wait until every moved partition has its new replicas (--verify also removes the throttle).",
        "# Kafka 2.8 to 4.x print a line per partition: 'Reassignment of partition T-P is complete.' (2.8;",
        "# 'is completed.' in 3.9 and 4.x) or '... is still in progress.'; anything else (a replica set",
        "# '... rather than ...', an error) stops here. Whole lines only: topic names cannot mislead.",
        "LINE='Reassignment of partition .+'",
        "while :; do",
        '  out=$(kafka kafka-reassign-partitions --reassignment-json-file "$PLAN_DIR/reassignment.json" --verify)',
        '  completed=$(printf \'%s\\n\' "$out" | grep -cE "^$LINE is completed?\\.\\$" || true)',
        '  pending=$(printf \'%s\\n\' "$out" | grep -cE "^$LINE is still in progress\\.\\$" || true)',
        f'  if [ "$completed" -eq {len(plan.moves)} ]; then break; fi',
        f"  if [ $((completed + pending)) -ne {len(plan.moves)} ]; then printf '%s\\n' \"$out\" >&2; exit 1; fi",
        "  sleep 5",
        "done",
        "# Wait until the in-sync replica sets are full: only then is raising min.insync.replicas safe.",
        "while :; do",
        f"  out=$(kafka kafka-topics --describe --under-replicated-partitions --topic {shlex.quote(pattern)})",
        '  [ -z "$out" ] && break',
        "  sleep 5",
        "done",
        "# Hand leadership to the preferred leaders the plan balanced across brokers. Before Kafka 4.1",
        "# kafka-leader-election takes its client properties as --admin.config, not --command-config.",
        'election=(--bootstrap-server "$BOOTSTRAP")',
        'if [ -n "$COMMAND_CONFIG" ]; then',
        '  usage=$("$KAFKA_BIN/kafka-leader-election.sh" --help 2>&1 || true)',
        '  case "$usage" in',
        '    *--command-config*) election+=(--command-config "$COMMAND_CONFIG") ;;',
        '    *) election+=(--admin.config "$COMMAND_CONFIG") ;;',
        "  esac",
        "fi",
        '"$KAFKA_BIN/kafka-leader-election.sh" "${election[@]}" --election-type PREFERRED \\',
        '  --path-to-json-file "$PLAN_DIR/election.json"',
    ]


def _config_commands(plan: Plan, step: Step, number: int, total: int) -> list[str]:
    changes = [c for c in plan.changes if c.step is step]
    lines = [f"# Step {number} of {total}: {STEP_TITLES[step]}."]
    for change in changes:
        lines.append(f"# {change.subject}: {change.key} {_was(change)} -> {change.value} ({', '.join(change.rules)})")
        lines.append(" ".join(["kafka kafka-configs --alter", *_entity(change), "--add-config", _quoted(change)]))
    return lines


def _entity(change: ConfigChange) -> list[str]:
    if change.name is None:
        return ["--entity-type", change.entity, "--entity-default"]
    return ["--entity-type", change.entity, "--entity-name", shlex.quote(change.name)]


def _quoted(change: ConfigChange) -> str:
    return shlex.quote(f"{change.key}={change.value}")


def _was(change: ConfigChange) -> str:
    previous = change.previous
    if previous is None:
        return "(not read)"
    return f"{previous.value if previous.value is not None else 'unknown'} ({previous.source.value})"


def _comment(text: str) -> str:
    return " ".join(text.split())


def _data_summary(into: Mapping[int, int], context: PlanContext) -> str:
    if context.sizes is None:
        return f"data to copy unknown ({context.sizes_gap or 'log directory sizes not read'})"
    total = sum(into.values())
    seconds = max(into.values(), default=0) / context.throttle_bytes_per_s
    return f"{_size(total)} to copy, about {_duration(seconds)} at --throttle {context.throttle_bytes_per_s} B/s"


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def plan_markdown(plan: Plan, context: PlanContext) -> str:
    lines = [
        f"# kafka-audit plan for `{_comment(context.bootstrap)}`",
        "",
        _summary(plan),
        "",
        "Run `apply.sh` (it explains itself); it stops at the first failing command. The order is the",
        "safe one: replication factor first, and only once the reassignment has finished and the",
        "in-sync replica sets are full, min.insync.replicas; then unclean leader election; broker",
        "defaults last. kafka-audit judged the cluster after every change (rule STO011): none leaves",
        "a partition under min.insync.replicas that is not under it now.",
    ]
    lines += _manual_section(plan)
    if plan.moves:
        lines += _replication_section(plan, context)
    lines += _changes_section(plan)
    lines += _refused_section(plan)
    lines += _remaining_section(plan)
    lines += _elsewhere_section(context)
    lines += _rollback_section(plan)
    lines += _coverage_section(context)
    return "\n".join(lines) + "\n"


def _summary(plan: Plan) -> str:
    if not plan.moves and not plan.changes:
        return "Nothing to change: no store finding this plan can clear." + (
            f" {len(plan.refused)} change(s) refused (below)." if plan.refused else ""
        )
    topics = len({m.topic for m in plan.moves})
    return (
        f"{len(plan.moves)} partition(s) of {topics} topic(s) get more replicas, {len(plan.changes)} "
        f"configuration change(s), {len(plan.refused)} refused."
    )


def _manual_section(plan: Plan) -> list[str]:
    if not plan.manual:
        return []
    lines = ["", "## Before you start", ""]
    lines += [f"- {f.rule_id} {f.resource}: {f.message} Fix: {f.remediation}" for f in plan.manual]
    lines += ["", "Brokers without `broker.rack` make the placement below rack-blind: set it first if you can."]
    return lines


def _replication_section(plan: Plan, context: PlanContext) -> list[str]:
    into, out = bytes_to_move(plan.moves, context.sizes or {})
    lines = [
        "",
        f"## Step: replication factor to {plan.target_replication_factor} (STO001)",
        "",
        "Every current replica stays; new replicas go to racks the partition lacks, then to the",
        "brokers with the fewest replicas; preferred leaders are balanced per broker.",
        "",
        "| topic | partition | replicas now | replicas after | new |",
        "|---|---|---|---|---|",
    ]
    for m in plan.moves:
        lines.append(f"| {m.topic} | {m.partition} | {_ids(m.current)} | {_ids(m.target)} | {_ids(m.added)} |")
    lines += ["", f"Data: {_data_summary(into, context)}.", ""]
    if context.sizes is not None:
        lines += ["| broker | receives | sends | preferred leaderships after |", "|---|---|---|---|"]
        leaders = Counter(m.target[0] for m in plan.moves)
        for broker in sorted({*into, *out, *leaders}):
            received, sent = _size(into.get(broker, 0)), _size(out.get(broker, 0))
            lines.append(f"| {broker} | {received} | {sent} | {leaders[broker]} |")
    return lines


def _changes_section(plan: Plan) -> list[str]:
    if not plan.changes:
        return []
    lines = ["", "## Configuration changes, in order", "", "| step | where | setting | now | after | why |"]
    lines.append("|---|---|---|---|---|---|")
    for c in plan.changes:
        lines.append(f"| {int(c.step)} | {c.subject} | `{c.key}` | {_was(c)} | {c.value} | {', '.join(c.rules)} |")
    if any(c.entity == "brokers" for c in plan.changes):
        lines += [
            "",
            "A dynamic broker setting outranks server.properties: keep each broker's file in step,",
            "or the next operator who reads it is misled.",
        ]
    return lines


def _refused_section(plan: Plan) -> list[str]:
    if not plan.refused:
        return []
    lines = ["", "## Refused (not in apply.sh)", ""]
    return lines + [f"- {r.subject}: {r.reason}" for r in plan.refused]


def _remaining_section(plan: Plan) -> list[str]:
    if not plan.remaining:
        return ["", "## After the plan", "", "Judged on the cluster as the plan leaves it: STO001-STO004 clear."]
    lines = ["", "## After the plan", "", "Still found on the cluster as the plan leaves it:", ""]
    return lines + [f"- {f.rule_id} {f.resource}: {f.actual} (expected {f.expected})" for f in plan.remaining]


def _elsewhere_section(context: PlanContext) -> list[str]:
    if not context.elsewhere:
        return []
    files = sorted({f.location.path for f in context.elsewhere if f.location is not None})
    shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
    return [
        "",
        "## Not in this plan",
        "",
        f"{len(context.elsewhere)} failing finding(s) in configuration files ({shown}): a plan changes the",
        "cluster only. `kafka-audit audit PATH... --diff` shows the file fixes, `--fix` writes them.",
    ]


def _coverage_section(context: PlanContext) -> list[str]:
    lines = ["", "## Coverage", ""]
    if context.sizes is None:
        lines.append(f"- Bytes to move: unknown ({context.sizes_gap or 'log directory sizes not read'}).")
    if not context.gaps:
        return [*lines, "- Everything the audit behind this plan asked for was read."]
    lines.append("- Not read by the audit behind this plan (nothing was guessed for it):")
    return lines + [f"  - {gap.resource}: {gap.reason}" for gap in context.gaps]


def _rollback_section(plan: Plan) -> list[str]:
    lines = ["", "## Roll back", ""]
    if plan.moves:
        lines.append(
            "- Replicas: `kafka-reassign-partitions.sh --execute --reassignment-json-file rollback.json` "
            "(the replica lists as they are now)."
        )
    for c in plan.changes:
        lines.append(f"- {c.subject}: {_undo(c)}")
    return lines


def _undo(change: ConfigChange) -> str:
    entity = " ".join(_entity(change))
    previous = change.previous
    if previous is not None and previous.value is not None and _was_set_there(change):
        return f"`kafka-configs.sh --alter {entity} --add-config {shlex.quote(f'{change.key}={previous.value}')}`"
    return f"`kafka-configs.sh --alter {entity} --delete-config {change.key}`"


def _was_set_there(change: ConfigChange) -> bool:
    from auditor.model import ConfigSource

    source = change.previous.source if change.previous else None
    if change.entity == "topics":
        return source is ConfigSource.TOPIC_OVERRIDE
    wanted = ConfigSource.DYNAMIC_BROKER if change.name is not None else ConfigSource.DYNAMIC_CLUSTER_DEFAULT
    return source is wanted


def _ids(ids: Sequence[int]) -> str:
    return ",".join(map(str, ids))
