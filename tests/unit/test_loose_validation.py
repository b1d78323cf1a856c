"""Values of the wrong shape in the user's files are input errors at file:line, never accepted
silently (#11 point 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.model import Topic
from auditor.sources.files import read_paths
from auditor.sources.snapshot import read_snapshot, write_snapshot
from tests.builders import broker, partition, snapshot, topic
from tests.policy_builders import policy


@pytest.mark.parametrize(
    ("waiver", "message"),
    [
        ("{rule: STO002, resource: orders, reason: {why: x}, owner: o, expires: 2999-01-01}", "reason must be text"),
        ("{rule: STO002, resource: orders, reason: r, owner: [a, b], expires: 2999-01-01}", "owner must be text"),
        ("{rule: STO002, resource: orders, reason: r, owner: o, expires: [2999-01-01]}", "expires must be text"),
    ],
)
def test_waiver_field_of_the_wrong_shape_is_exit_2(tmp_path: Path, waiver: str, message: str) -> None:
    with pytest.raises(InputError, match=rf"\.kafka-audit\.yaml:2: waiver {message}, not a (mapping|list)"):
        policy(tmp_path, f"waivers:\n  - {waiver}\n")


@pytest.mark.parametrize("value", [".nan", "-1", "-0.5", ".inf", "-.inf"])
def test_a_numeric_param_that_would_switch_its_rule_off_is_exit_2(tmp_path: Path, value: str) -> None:
    """NaN compares false with everything, and a negative or infinite threshold never fires: GRP002
    would pass every group however far behind it is."""
    text = f"rules:\n  GRP002:\n    params:\n      max_retention_percent: {value}\n"
    with pytest.raises(
        InputError, match=r"\.kafka-audit\.yaml:4: param max_retention_percent of GRP002 must be a number >= 0"
    ):
        policy(tmp_path, text)


def test_a_numeric_param_of_zero_is_a_threshold(tmp_path: Path) -> None:
    tuned = policy(tmp_path, "rules:\n  GRP002:\n    params:\n      max_retention_percent: 0\n")
    assert tuned.rules["GRP002"].params == {"max_retention_percent": 0}


def _snapshot_file(tmp_path: Path, *topics: Topic) -> Path:
    path = tmp_path / "snap.json"
    write_snapshot(snapshot(*topics), path)
    return path


def test_a_topic_given_twice_in_a_snapshot_is_exit_2(tmp_path: Path) -> None:
    """The second `orders` (offline partition) would hide behind the first (healthy) one."""
    path = _snapshot_file(tmp_path, topic("orders"), topic("orders", parts=[partition(leader=None)]))
    with pytest.raises(
        InputError, match=r"snap\.json: cluster/topics/1: topic 'orders' given twice \(first at cluster/topics/0\)"
    ):
        read_snapshot(path)


def test_a_partition_given_twice_in_a_snapshot_is_exit_2(tmp_path: Path) -> None:
    path = _snapshot_file(tmp_path, topic("orders", parts=[partition(index=0), partition(index=0, isr=(1,))]))
    with pytest.raises(
        InputError, match=r"cluster/topics/0/partitions/1: partition of topic 'orders' with index '0' given twice"
    ):
        read_snapshot(path)


def test_a_topic_given_twice_is_named_before_a_later_topics_partition_given_twice(tmp_path: Path) -> None:
    """Topics are decoded one at a time; the first duplicate named is still the topic, as when the
    whole document was decoded before any check."""
    twice = topic("payments", parts=[partition(index=0), partition(index=0)])
    path = _snapshot_file(tmp_path, topic("orders"), twice, topic("orders"))
    with pytest.raises(InputError, match=r"cluster/topics/2: topic 'orders' given twice"):
        read_snapshot(path)


def test_a_broker_given_twice_in_a_snapshot_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(snapshot(broker_list=[broker(1), broker(2), broker(1, rack=None)]), path)
    with pytest.raises(InputError, match=r"cluster/brokers/2: broker '1' given twice"):
        read_snapshot(path)


# Locals that refer to each other: Terraform itself refuses them ("Cycle: local.a, local.b"); the
# reader raised RecursionError, shown as a traceback, then as "nested too deeply" (#11 point 6).
CYCLIC_LOCALS = """locals {
  replicas = local.rf
  rf       = local.replicas
}

resource "kafka_topic" "orders" {
  name               = "orders"
  replication_factor = local.replicas
  partitions         = 3
}
"""


def test_terraform_locals_in_a_cycle_named_on_the_command_line_are_exit_2(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CYCLIC_LOCALS)
    with pytest.raises(
        InputError,
        match=r"main\.tf: Terraform locals refer to each other in a cycle: local\.replicas -> local\.rf -> local\.repl",
    ):
        read_paths([str(tmp_path / "main.tf")])


def test_terraform_locals_in_a_cycle_found_in_a_folder_are_a_gap_naming_the_cycle(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CYCLIC_LOCALS)
    found = read_paths([str(tmp_path)])
    assert [gap.reason for gap in found.gaps] == [
        f"cannot be read: {tmp_path / 'main.tf'}: Terraform locals refer to each other in a cycle: "
        "local.replicas -> local.rf -> local.replicas"
    ]
