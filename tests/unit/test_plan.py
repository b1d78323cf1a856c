"""kafka-audit plan on snapshots: placement, the safe order, refusals, and the files it writes."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path

from auditor.engine import load_rules
from auditor.findings import Waiver
from auditor.model import ConfigSource, Partition, Topic
from auditor.plan import Selection, build_plan
from auditor.plan.placement import raise_replication
from auditor.plan.render import PlanContext, apply_script, plan_markdown, reassignment_json
from auditor.plan.steps import Step
from auditor.sources.snapshot import write_snapshot
from tests.builders import broker, brokers, config, partition, snapshot, topic
from tests.unit.test_cli_offline import assert_one_line_error, run

RULES = load_rules()


def single_replica_topic(name: str, partitions: int, on: int = 1) -> Topic:
    parts = tuple(partition(name, i, replicas=(on,)) for i in range(partitions))
    return topic(name, rf=1, parts=parts)


def context(**overrides: object) -> PlanContext:
    values: dict[str, object] = {
        "bootstrap": "127.0.0.1:9092",
        "command_config": None,
        "throttle_bytes_per_s": 1_000_000,
        "sizes": None,
    }
    values.update(overrides)
    return PlanContext(**values)  # type: ignore[arg-type]


def test_raising_keeps_every_replica_adds_on_distinct_brokers_and_balances_leaders() -> None:
    cluster = snapshot(single_replica_topic("orders", 6), broker_list=brokers(3))
    moves, refused = raise_replication(cluster, ["orders"], 3)
    assert not refused
    assert len(moves) == 6
    for move in moves:
        assert set(move.current) <= set(move.target)
        assert len(set(move.target)) == 3
    leaders = Counter(m.target[0] for m in moves)
    assert sorted(leaders.values()) == [2, 2, 2]


def test_new_replicas_go_to_the_racks_the_partition_lacks_first() -> None:
    racked = (broker(1, rack="a"), broker(2, rack="a"), broker(3, rack="b"), broker(4, rack="b"))
    cluster = snapshot(single_replica_topic("orders", 1, on=1), broker_list=racked)
    moves, _ = raise_replication(cluster, ["orders"], 2)
    assert moves[0].added in ((3,), (4,))


def test_not_enough_live_brokers_is_refused() -> None:
    two_live = (broker(1), broker(2), replace(broker(3), fenced=True))
    cluster = snapshot(single_replica_topic("orders", 2), broker_list=two_live)
    moves, refused = raise_replication(cluster, ["orders"], 3)
    assert moves == []
    assert [r.subject for r in refused] == ["topic orders"]
    assert "only 2 live broker(s)" in refused[0].reason


def test_a_replica_on_a_down_broker_is_refused() -> None:
    down = (broker(1), broker(2), broker(3), replace(broker(4), fenced=True))
    parts = (partition("orders", 0, replicas=(4,), isr=(), leader=None),)
    cluster = snapshot(topic("orders", rf=1, parts=parts), broker_list=down)
    _, refused = raise_replication(cluster, ["orders"], 3)
    assert "brokers that are down or not registered (4)" in refused[0].reason


def test_plan_orders_replication_then_topic_min_isr_then_unclean_then_defaults() -> None:
    weak = topic("orders", rf=1, min_isr="1", min_isr_source=ConfigSource.TOPIC_OVERRIDE, partitions=3)
    weak = replace(
        weak,
        configs={**weak.configs, "unclean.leader.election.enable": config("unclean.leader.election.enable", "true")},
    )
    cluster = snapshot(weak, broker_list=brokers(3, min_insync_replicas="1"))
    plan = build_plan(cluster, RULES, RULES)
    assert len(plan.moves) == 3
    steps = [(c.step, c.subject, c.key, c.value) for c in plan.changes]
    assert steps == [
        (Step.TOPIC_MIN_ISR, "topic orders", "min.insync.replicas", "2"),
        (Step.TOPIC_UNCLEAN, "topic orders", "unclean.leader.election.enable", "false"),
        (Step.BROKER_DEFAULTS, "cluster-wide broker default", "min.insync.replicas", "2"),
    ]
    assert not plan.refused
    assert plan.remaining == ()
    script = apply_script(plan, context())
    order = [
        script.index(s)
        for s in (
            "--execute",
            "--verify",
            "--under-replicated",
            "PREFERRED",
            "--entity-name orders --add-config min.insync",
            "--add-config unclean",
            "--entity-default",
        )
    ]
    assert order == sorted(order)


def test_min_isr_on_an_under_replicated_partition_is_refused() -> None:
    lagging = topic(
        "payments",
        min_isr="1",
        min_isr_source=ConfigSource.TOPIC_OVERRIDE,
        parts=(partition("payments", 0, replicas=(1, 2, 3), isr=(1,)),),
    )
    plan = build_plan(snapshot(lagging), RULES, RULES)
    assert plan.changes == ()
    assert [r.subject for r in plan.refused] == ["topic payments"]
    assert "payments-0 (ISR 1)" in plan.refused[0].reason
    assert "block acks=all writes" in plan.refused[0].reason


def test_a_default_that_would_block_an_internal_topic_is_refused() -> None:
    offsets = topic("__consumer_offsets", rf=1, min_isr="1", internal=True, partitions=2)
    cluster = snapshot(topic("orders"), offsets, broker_list=brokers(3, min_insync_replicas="1"))
    plan = build_plan(cluster, RULES, RULES)
    assert plan.changes == ()
    assert plan.refused[0].subject == "cluster-wide broker default"
    assert "__consumer_offsets-0 (ISR 1)" in plan.refused[0].reason


def test_a_policy_that_turns_sto011_off_does_not_make_an_unsafe_order_safe() -> None:
    lagging = topic(
        "payments",
        min_isr="1",
        min_isr_source=ConfigSource.TOPIC_OVERRIDE,
        parts=(partition("payments", 0, replicas=(1, 2, 3), isr=(1,)),),
    )
    without = [r for r in RULES if r.id != "STO011"]
    plan = build_plan(snapshot(lagging), without, RULES)
    assert plan.changes == () and len(plan.refused) == 1


def test_out_of_scope_topics_are_not_changed() -> None:
    cluster = snapshot(single_replica_topic("orders", 1), single_replica_topic("scratch", 1))
    plan = build_plan(cluster, RULES, RULES, Selection(topics=frozenset({"orders"})))
    assert {m.topic for m in plan.moves} == {"orders"}


def test_waived_and_unknown_findings_make_no_change() -> None:
    waiver = Waiver(
        rule_id="STO001", reason="dev only", owner="team", expires="2999-01-01", source="p:1", resource="orders"
    )
    unread = topic("scratch", rf=3, min_isr=None, partitions=1)
    cluster = snapshot(single_replica_topic("orders", 1), unread)
    plan = build_plan(cluster, RULES, RULES, Selection(waivers=(waiver,)))
    assert plan.moves == () and plan.changes == ()


def test_a_saved_report_limits_the_plan_to_what_it_failed_on(tmp_path: Path) -> None:
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(single_replica_topic("orders", 1), single_replica_topic("audit-log", 1)), path)
    report = tmp_path / "report.json"
    audited = run("audit", "--snapshot", str(path), "--format", "json", "--output", str(report))
    assert audited.returncode == 1, audited.stderr
    document = json.loads(report.read_text())
    document["findings"] = [f for f in document["findings"] if f["resource"]["name"] != "audit-log"]
    report.write_text(json.dumps(document))
    out = tmp_path / "plan"
    done = run("plan", "--snapshot", str(path), "--report", str(report), "--output-dir", str(out))
    assert done.returncode == 0, done.stderr
    moved = {p["topic"] for p in json.loads((out / "reassignment.json").read_text())["partitions"]}
    assert moved == {"orders"}
    report.write_text("{}")
    assert_one_line_error(
        run("plan", "--snapshot", str(path), "--report", str(report), "--output-dir", str(out)), 2, "report"
    )


def test_reassignment_json_is_what_kafka_reassign_partitions_takes() -> None:
    cluster = snapshot(single_replica_topic("orders", 2))
    plan = build_plan(cluster, RULES, RULES)
    document = json.loads(reassignment_json(plan.moves))
    assert document["version"] == 1
    assert [(p["topic"], p["partition"], len(p["replicas"])) for p in document["partitions"]] == [
        ("orders", 0, 3),
        ("orders", 1, 3),
    ]
    rollback = json.loads(reassignment_json(plan.moves, rollback=True))
    assert [p["replicas"] for p in rollback["partitions"]] == [[1], [1]]


def test_apply_script_quotes_hostile_values_and_is_valid_bash(tmp_path: Path) -> None:
    cluster = snapshot(single_replica_topic("orders", 1))
    plan = build_plan(cluster, RULES, RULES)
    hostile = "h$(touch /tmp/x)`id`;'\"\n:9092"
    script = apply_script(plan, context(bootstrap=hostile, command_config="/tmp/a b$(id).properties"))
    path = tmp_path / "apply.sh"
    path.write_text(script)
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    probe = script.split("\nkafka()")[0] + '\nprintf "%s|" "$BOOTSTRAP" "${CONNECT[@]}"\n'
    shown = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split("|")[0] == hostile
    assert "--command-config|/tmp/a b$(id).properties|" in shown.stdout


def test_plan_markdown_says_data_moved_and_time_and_rollback() -> None:
    cluster = snapshot(single_replica_topic("orders", 2))
    plan = build_plan(cluster, RULES, RULES)
    text = plan_markdown(plan, context(sizes={("orders", 0): 3 << 20, ("orders", 1): 1 << 20}))
    assert "8.0 MiB to copy" in text  # two new replicas of each partition
    assert "about 4 s at --throttle 1000000 B/s" in text  # the busiest broker receives 4 MiB
    assert "rollback.json" in text
    unknown = plan_markdown(plan, context(sizes=None, sizes_gap="DescribeLogDirs: not authorized"))
    assert "data to copy unknown (DescribeLogDirs: not authorized)" in unknown


def test_cli_plan_from_a_snapshot_writes_the_files(tmp_path: Path) -> None:
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(single_replica_topic("orders", 3)), path)
    out = tmp_path / "plan"
    done = run("plan", "--snapshot", str(path), "--output-dir", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["reassignment.json", "rollback.json", "election.json", "apply.sh", "plan.md"]
    )
    assert "3 partition move(s)" in done.stderr
    assert (out / "apply.sh").stat().st_mode & 0o100


def test_cli_plan_exits_1_when_a_change_is_refused(tmp_path: Path) -> None:
    lagging = topic(
        "payments",
        min_isr="1",
        min_isr_source=ConfigSource.TOPIC_OVERRIDE,
        parts=(partition("payments", 0, replicas=(1, 2, 3), isr=(1,)),),
    )
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(lagging), path)
    done = run("plan", "--snapshot", str(path), "--output-dir", str(tmp_path / "plan"))
    assert done.returncode == 1, done.stderr
    assert "1 refused" in done.stderr
    assert "## Refused" in (tmp_path / "plan" / "plan.md").read_text()


def test_cli_plan_usage_errors_come_before_reading(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = run("plan", "--bootstrap-server", "127.0.0.1:9", "--output-dir", str(blocker))
    assert_one_line_error(done, 2, "is not a folder")
    assert_one_line_error(run("plan", "--output-dir", str(tmp_path / "p")), 2, "exactly one of")


def test_partition_model_is_unchanged_by_planning() -> None:
    parts = (Partition("orders", 0, 1, (1,), (1,)),)
    cluster = snapshot(topic("orders", rf=1, parts=parts))
    build_plan(cluster, RULES, RULES)
    assert cluster.topics[0].partitions == parts


def plan_files(out: Path) -> tuple[set[str], str]:
    moved = {p["topic"] for p in json.loads((out / "reassignment.json").read_text())["partitions"]}
    return moved, (out / "plan.md").read_text()


def test_cli_plan_reads_files_and_waivers_as_audit_does(tmp_path: Path) -> None:
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(single_replica_topic("orders", 1), single_replica_topic("audit-log", 1)), path)
    app = tmp_path / "app"
    app.mkdir()
    (app / "producer.properties").write_text("bootstrap.servers=kafka-1:9092\nacks=1\n")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("- {rule: STO001, resource: audit-log, reason: replayable, owner: me, expires: 2999-01-01}\n")
    out = tmp_path / "plan"
    done = run("plan", str(app), "--snapshot", str(path), "--waivers", str(waivers), "--output-dir", str(out))
    assert done.returncode == 0, done.stderr
    moved, text = plan_files(out)
    assert moved == {"orders"}  # the waived topic is left alone
    elsewhere = text.split("## Not in this plan")[1]
    assert str(app / "producer.properties") in elsewhere and "--fix" in elsewhere
    no_waivers = run(
        "plan", "--snapshot", str(path), "--waivers", str(waivers), "--no-waivers", "--output-dir", str(out)
    )
    assert no_waivers.returncode == 0, no_waivers.stderr
    assert plan_files(out)[0] == {"orders", "audit-log"}


def test_cli_plan_takes_the_audits_rule_and_topic_scope(tmp_path: Path) -> None:
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(single_replica_topic("orders", 1), single_replica_topic("audit-log", 1)), path)
    out = tmp_path / "plan"
    assert run("plan", "--snapshot", str(path), "--topic", "^orders$", "--output-dir", str(out)).returncode == 0
    assert plan_files(out)[0] == {"orders"}
    assert run("plan", "--snapshot", str(path), "--ignore", "STO001", "--output-dir", str(out)).returncode == 0
    moved, text = plan_files(out)
    assert moved == set() and "## Step: replication factor" not in text


def test_cli_plan_with_assume_down_plans_for_the_cluster_without_that_broker(tmp_path: Path) -> None:
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(single_replica_topic("orders", 1)), path)
    out = tmp_path / "plan"
    done = run("plan", "--snapshot", str(path), "--assume-down", "broker:2", "--output-dir", str(out))
    assert done.returncode == 1, done.stderr
    assert "topic orders: only 2 live broker(s) for replication factor 3" in plan_files(out)[1]
    assert_one_line_error(
        run("plan", "--snapshot", str(path), "--assume-down", "node-2", "--output-dir", str(out)), 2, "--assume-down"
    )


def test_cli_plan_reads_the_services_manifest_and_says_what_was_not_read(tmp_path: Path) -> None:
    path = tmp_path / "cluster.json"
    write_snapshot(snapshot(single_replica_topic("orders", 1)), path)
    missing = tmp_path / "services.yaml"
    done = run("plan", "--snapshot", str(path), "--services", str(missing), "--output-dir", str(tmp_path / "p"))
    assert_one_line_error(done, 2, str(missing))
    assert run("plan", "--snapshot", str(path), "--output-dir", str(tmp_path / "p")).returncode == 0
    coverage = (tmp_path / "p" / "plan.md").read_text().split("## Coverage")[1]
    assert "Bytes to move: unknown (a snapshot holds no log directory sizes" in coverage


VERIFY_WORDING = {  # what kafka-reassign-partitions --verify prints per partition, by release
    "2.8": ("Reassignment of partition {} is still in progress.", "Reassignment of partition {} is complete."),
    "3.9": ("Reassignment of partition {} is still in progress.", "Reassignment of partition {} is completed."),
    "4.3": ("Reassignment of partition {} is still in progress.", "Reassignment of partition {} is completed."),
}


def fake_kafka_bin(folder: Path, verify_outputs: list[str], help_text: str) -> Path:
    """bin/*.sh that log their arguments; --verify answers `verify_outputs` in turn (the last repeats)."""
    folder.mkdir()
    log = folder / "calls.log"
    for index, text in enumerate(verify_outputs):
        (folder / f"verify-{index}.txt").write_text(text)
    reassign = (
        f'echo "reassign $*" >> {log}\n'
        'case "$*" in *--verify*)\n'
        f'  n=$(grep -c "^reassign .*--verify" {log}); i=$((n - 1)); [ $i -ge {len(verify_outputs)} ] && '
        f"i={len(verify_outputs) - 1}\n"
        f"  cat {folder}/verify-$i.txt ;;\nesac\n"
    )
    scripts = {
        "kafka-reassign-partitions": reassign,
        "kafka-topics": f'echo "topics $*" >> {log}\n',
        "kafka-leader-election": (
            f'case "$*" in *--help*) echo "{help_text}"; exit 1 ;; esac\necho "elect $*" >> {log}\n'
        ),
        "kafka-configs": f'echo "configs $*" >> {log}\n',
    }
    for name, body in scripts.items():
        path = folder / f"{name}.sh"
        path.write_text("#!/usr/bin/env bash\n" + body)
        path.chmod(0o755)
    return folder


def run_apply(tmp_path: Path, topic_name: str, verify_outputs: list[str], help_text: str) -> tuple[int, str, str]:
    cluster = snapshot(single_replica_topic(topic_name, 2))
    plan = build_plan(cluster, RULES, RULES)
    out = tmp_path / "plan"
    out.mkdir()
    (out / "apply.sh").write_text(apply_script(plan, context(command_config="/etc/kafka/admin.properties")))
    for name in ("reassignment.json", "election.json"):
        (out / name).write_text("{}")
    folder = fake_kafka_bin(tmp_path / "bin", verify_outputs, help_text)
    env = {"PATH": "/usr/bin:/bin", "KAFKA_BIN": str(folder)}
    done = subprocess.run(["bash", str(out / "apply.sh")], capture_output=True, text=True, env=env, timeout=60)
    return done.returncode, (folder / "calls.log").read_text(), done.stderr


def verify_output(version: str, topic_name: str, pending: bool) -> str:
    line = VERIFY_WORDING[version][0 if pending else 1]
    body = "".join(line.format(f"{topic_name}-{p}") + "\n" for p in (0, 1))
    return "Status of partition reassignment:\n" + body + "Clearing broker-level throttles on brokers 1,2,3\n"


def test_apply_script_waits_for_every_partition_in_each_kafka_versions_wording(tmp_path: Path) -> None:
    for version in VERIFY_WORDING:
        folder = tmp_path / version
        folder.mkdir()
        name = "failed-orders"  # a topic name that holds a word an output parser might look for
        outputs = [verify_output(version, name, pending=True), verify_output(version, name, pending=False)]
        code, calls, stderr = run_apply(folder, name, outputs, "--admin.config <String>  Configuration properties")
        assert code == 0, (version, stderr)
        assert calls.count("--verify") == 2, calls
        assert "elect --bootstrap-server 127.0.0.1:9092 --admin.config /etc/kafka/admin.properties" in calls


def test_apply_script_stops_when_a_replica_set_is_not_what_was_asked(tmp_path: Path) -> None:
    wrong = (
        "Status of partition reassignment:\n"
        "There is no active reassignment of partition orders-0, but replica set is 1 rather than 1,2,3.\n"
        "Reassignment of partition orders-1 is completed.\n"
    )
    code, calls, stderr = run_apply(tmp_path, "orders", [wrong], "--command-config <String: Config file>")
    assert code == 1 and "rather than" in stderr
    assert "elect" not in calls  # it stopped before the leader election


def test_apply_script_gives_leader_election_the_option_its_version_takes(tmp_path: Path) -> None:
    done = verify_output("4.3", "orders", pending=False)
    code, calls, _ = run_apply(tmp_path, "orders", [done], "--command-config <String: Config file>  Config")
    assert code == 0
    assert "elect --bootstrap-server 127.0.0.1:9092 --command-config /etc/kafka/admin.properties" in calls
