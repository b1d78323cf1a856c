"""The harness's per-version choices (scripts/kafka_cluster.py), without starting anything: which
mode a version has, what each mode's server.properties says, which listeners are advertised."""

from __future__ import annotations

from pathlib import Path

import pytest
from kafka_cluster import Node, check_mode, default_mode, server_properties, version_tuple


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
