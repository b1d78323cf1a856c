"""Fix commands: their text is in rules/commands.yaml, the facts give only data.

#14 found fixes printed without `--command-config` although the audit itself needed one (the
demo audits the SASL listener as the `auditor` user): pasted, they could not even connect. The
client properties file the audit connected with now rides on the snapshot it read and every
{cluster_flags} carries it; tests/integration/test_collect_secure.py runs such a command's
read-only --describe equivalent against the harness's SASL listener."""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.engine import load_rules
from auditor.engine.commands import COMMANDS_FILE, command_values, commands_named, load_commands
from auditor.engine.rules import builtin_rules_dir, fix_commands
from auditor.engine.templates import PLACEHOLDER
from auditor.errors import InputError
from auditor.model import Estate, Topic
from tests.builders import BOOTSTRAP, broker, broker_file, declared_topic, judge_estate, snapshot, topic

CONFIG = "/etc/kafka/audit client.properties"  # a space: the path must stay one shell word


def _fixes(estate: Estate, rule_id: str) -> list[str]:
    return [f.remediation for f in judge_estate(estate) if f.rule_id == rule_id]


def _live(*topics: Topic, command_config: str | None = None) -> Estate:
    cluster = snapshot(*topics, broker_list=[broker(1), broker(2), broker(3)])
    return Estate(cluster=replace(cluster, command_config=command_config))


def test_a_topic_fix_carries_the_command_config_the_audit_used() -> None:
    (fix,) = _fixes(_live(topic("orders", min_isr="1"), command_config=CONFIG), "STO002")
    assert fix == (
        f"kafka-configs.sh --bootstrap-server {BOOTSTRAP} --command-config '{CONFIG}' --alter --entity-type topics "
        "--entity-name orders --add-config min.insync.replicas=2"
    )
    words = shlex.split(fix)
    assert words[words.index("--command-config") + 1] == CONFIG


def test_without_a_command_config_the_fix_has_none() -> None:
    (fix,) = _fixes(_live(topic("orders", min_isr="1")), "STO002")
    assert fix == (
        f"kafka-configs.sh --bootstrap-server {BOOTSTRAP} --alter --entity-type topics "
        "--entity-name orders --add-config min.insync.replicas=2"
    )


def test_every_cluster_command_of_a_run_with_a_command_config_carries_it() -> None:
    """Not only kafka-configs.sh: every Kafka tool a fix names reaches the cluster the same way."""
    estate = _live(topic("orders", min_isr="1", rf=1, unclean="true"), command_config=CONFIG)
    fixes = [f.remediation for f in judge_estate(estate) if "--bootstrap-server" in f.remediation]
    assert len(fixes) >= 3
    for fix in fixes:
        assert f"--bootstrap-server {BOOTSTRAP} --command-config '{CONFIG}'" in fix, fix


def test_a_declared_topic_is_fixed_in_its_file() -> None:
    estate = Estate(topics=(declared_topic("orders", min_insync_replicas="1"),))
    (fix,) = _fixes(estate, "STO002")
    assert fix == "in topics/orders.yaml, under the KafkaTopic's spec.config, set min.insync.replicas: 2"  # Strimzi


def test_a_broker_default_on_the_live_cluster_and_in_a_file() -> None:
    cluster = snapshot(broker_list=[broker(i, min_insync_replicas="1") for i in (1, 2, 3)])
    live = _fixes(Estate(cluster=replace(cluster, command_config=CONFIG)), "STO002")
    assert len(live) == 3  # one per broker, each the cluster-wide default
    assert set(live) == {
        f"kafka-configs.sh --bootstrap-server {BOOTSTRAP} --command-config '{CONFIG}' --alter --entity-type brokers "
        "--entity-default --add-config min.insync.replicas=2 (a live cluster with eligible leader replicas accepts "
        "this setting only as the cluster-wide default); keep 'its server.properties' in step."
    }
    declared = Estate(brokers=(broker_file(**{"min.insync.replicas": "1"}),))
    (in_file,) = _fixes(declared, "STO002")
    assert in_file.startswith("in config/server.properties, set min.insync.replicas=2")


def test_a_connect_topic_fix_is_a_command_not_one_quoted_word() -> None:
    """The Connect/Streams/MM2 topic kinds built their command as one plain string, which the
    remediation then shell-quoted whole: `'kafka-configs.sh --bootstrap-server ...' ...`."""
    (fix,) = _fixes(_live(topic("connect-offsets", min_isr="1")), "CNX022")
    assert fix.startswith(f"kafka-configs.sh --bootstrap-server {BOOTSTRAP} --alter --entity-type topics ")
    assert shlex.split(fix)[0] == "kafka-configs.sh"


def test_the_first_variant_with_every_value_known_is_used() -> None:
    commands = load_commands(builtin_rules_dir() / COMMANDS_FILE)
    no_cluster = command_values(commands, {"bootstrap": None, "command_config": None})
    assert no_cluster["cluster_flags"] == "--bootstrap-server BOOTSTRAP"
    with_config = command_values(commands, {"bootstrap": "b:9092", "command_config": "a b.properties"})
    assert with_config["cluster_flags"] == "--bootstrap-server b:9092 --command-config 'a b.properties'"


def test_a_rule_naming_a_command_its_kind_cannot_fill_fails_at_load(tmp_path: Path) -> None:
    """{set_config} needs a topic and a declared file: on a consumer group it is a rule defect."""
    assert "set_config" in fix_commands()
    rule = tmp_path / "group.yaml"
    rule.write_text(
        """\
rules:
  - id: TST001
    name: test-group-fix
    title: A test rule that names a command
    stage: consume
    severity: low
    resource: group
    condition: {fact: committed_partitions, op: lt, value: 0}
    actual: a
    expected: e
    message: The group is judged by a test rule.
    remediation: "{set_config} retention.ms=1"
    rationale: A rule that exists only for this test.
    references: [https://kafka.apache.org/documentation/]
""",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"group has no \{declared_file\} \(in command \{set_config\}\)"):
        load_rules(tmp_path)


def test_only_the_commands_a_finding_names_are_rendered_with_those_they_name() -> None:
    """A finding renders the commands its texts name and, in turn, the commands those name
    ({set_config} names {cluster_flags}); nothing else, and each the same text as when every
    command is rendered (the 60,000-partition audit rendered all eleven per finding)."""
    commands = fix_commands()
    named = commands_named(commands, ["Run {set_config} min.insync.replicas=2 on {resource}."])
    assert named == {"set_config", "cluster_flags"}
    assert commands_named(commands, ["Raise {resource}'s replication factor."]) == set()
    values = {
        "bootstrap": "b:9092",
        "command_config": None,
        "resource": "orders",
        "topic": "orders",
        "declared_format": None,
    }
    every = command_values(commands, values)
    some = command_values(commands, values, named)
    assert set(some) == named
    assert some == {name: every[name] for name in named}


def test_every_shipped_fix_names_only_commands_it_renders() -> None:
    """Every template of every shipped check: the commands it needs are all in its selection."""
    commands = fix_commands()
    for rule in load_rules(builtin_rules_dir()):
        for check in rule.checks:
            templates = [
                check.remediation,
                *(check.text(f, u) for f in ("actual", "expected", "message") for u in (False, True)),
            ]
            named = commands_named(commands, templates)
            for template in templates:
                for name in PLACEHOLDER.findall(template):
                    if name in commands:
                        assert name in named
                        assert {inner for inner in commands[name].placeholders() if inner in commands} <= named
