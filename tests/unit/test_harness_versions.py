"""The harness's per-version choices (scripts/kafka_cluster.py), without starting anything: which
mode a version has, what each mode's server.properties says, which listeners are advertised."""

from __future__ import annotations

from pathlib import Path

import pytest
from kafka_cluster import (
    Cluster,
    Node,
    Settings,
    build_parser,
    check_mode,
    default_mode,
    server_properties,
    version_tuple,
)


def props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line)


NODES = [Node.planned(n, 20000) for n in (1, 2, 3)]


@pytest.mark.parametrize(("version", "mode"), [("2.8.2", "zookeeper"), ("3.2.3", "zookeeper"), ("3.3.2", "kraft")])
def test_kraft_from_3_3_by_default(version: str, mode: str) -> None:
    assert default_mode(version) == mode


@pytest.mark.parametrize(
    ("version", "mode", "message"),
    [
        ("2.8.2", "kraft", "no production KRaft mode"),
        ("4.0.0", "zookeeper", "no ZooKeeper mode"),
        ("x", "kraft", "3.9.1"),
    ],
)
def test_modes_a_version_does_not_have_are_refused(version: str, mode: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_mode(version, mode)


def test_version_tuple() -> None:
    assert version_tuple("3.9.1") == (3, 9) and version_tuple("4.3.1") > version_tuple("3.9.1")


@pytest.mark.parametrize(("version", "advertised"), [("3.7.2", False), ("3.9.1", True), ("4.3.1", True)])
def test_the_controller_listener_is_advertised_only_from_3_9(version: str, advertised: bool) -> None:
    config = props(server_properties(NODES[0], NODES, Path("/data"), version=version))
    assert config["process.roles"] == "broker,controller" and "CONTROLLER://" in config["listeners"]
    assert ("CONTROLLER://" in config["advertised.listeners"]) is advertised


def test_a_zookeeper_node_has_no_controller_and_the_acl_authorizer(tmp_path: Path) -> None:
    config = props(server_properties(NODES[1], NODES, Path("/data"), tmp_path, "3.6.2", zookeeper=20005))
    assert config["broker.id"] == "2" and config["zookeeper.connect"] == "127.0.0.1:20005"
    assert "process.roles" not in config and "CONTROLLER" not in config["listeners"]
    assert config["authorizer.class.name"] == "kafka.security.authorizer.AclAuthorizer"
    assert config["listener.name.ssl.ssl.keystore.type"] == "PKCS12"  # 2.8 refuses an unencrypted PEM key
    assert config["listener.name.ssl.ssl.client.auth"] == "requested"


@pytest.mark.parametrize(("argv", "nodes"), [(["up"], 3), (["up", "--nodes", "1"], 1), (["up", "--nodes", "5"], 5)])
def test_up_takes_one_to_nine_nodes(argv: list[str], nodes: int) -> None:
    assert build_parser().parse_args(argv).nodes == nodes


@pytest.mark.parametrize("value", ["0", "10", "-1", "x", "2.5"])
def test_up_refuses_a_node_count_outside_one_to_nine(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["up", "--nodes", value])
    assert exited.value.code == 2 and "from 1 to 9" in capsys.readouterr().err


@pytest.mark.parametrize(("count", "replication", "min_isr"), [(1, "1", "1"), (3, "3", "2"), (5, "3", "2")])
def test_more_than_three_nodes_keep_replication_three(count: int, replication: str, min_isr: str) -> None:
    nodes = [Node.planned(n, 20000) for n in range(1, count + 1)]
    config = props(server_properties(nodes[-1], nodes, Path("/data"), version="4.3.1"))
    assert config["default.replication.factor"] == config["offsets.topic.replication.factor"] == replication
    assert config["min.insync.replicas"] == min_isr
    assert config["controller.quorum.voters"].count("@") == count and config["node.id"] == str(count)
    assert config["listeners"].startswith(f"PLAINTEXT://127.0.0.1:{20000 + count},")


def test_zookeeper_mode_refuses_five_nodes_before_starting_anything(tmp_path: Path) -> None:
    cluster = Cluster(Settings("3.9.1", tmp_path / "cache", tmp_path / "run", 20000))
    with pytest.raises(ValueError, match="at most 4 brokers"):
        cluster.up(5, "zookeeper")
    with pytest.raises(ValueError, match="1 to 9 nodes"):
        cluster.up(10, "kraft")
    assert not (tmp_path / "run").exists()
