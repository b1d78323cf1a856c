"""Declared brokers form clusters only from evidence (one compose file, one Strimzi resource, a shared
controller quorum or ZooKeeper without a reused node id), and declared topics are judged against a cluster
only through a declared link: cross-file rules (STO015, STO016, STO018) never mix unrelated files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, Sources, audit_sources
from auditor.facts.clusters import declared_clusters, linked_cluster
from auditor.sources.files import read_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "files" / "clusters"
Row = tuple[str, str, str, str, int | None]  # rule, status, resource, file, line
CROSS_FILE = ("STO015", "STO016", "STO018")


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(FIXTURES)
    yield


def rows(path: str, rules: tuple[str, ...]) -> set[Row]:
    result = audit_sources(Sources(files=FileSources((path,))), AuditOptions())
    return {
        (
            f.rule_id,
            f.status.value,
            f.resource.name,
            f.location.path or "" if f.location else "",
            f.location.line if f.location else None,
        )
        for f in result.findings
        if f.rule_id in rules
    }


def test_compose_variants_in_one_folder_are_separate_projects() -> None:
    """conduktor's stack shape: the 3-broker file and the single-broker file side by side are two
    clusters; no STO018 between them and STO015 counts 3 brokers, not 4."""
    three = "compose-variants/docker-compose.yml"
    assert rows("compose-variants", CROSS_FILE) == {
        ("STO015", "fail", "kafka1", three, None),
        ("STO015", "fail", "kafka2", three, None),
        ("STO015", "fail", "kafka3", three, None),
    }
    clusters = declared_clusters(read_paths(["compose-variants"]).brokers)
    assert [(c.name, len(c.brokers)) for c in clusters] == [
        ("compose-variants/docker-compose.yml", 3),
        ("compose-variants/zk-single-kafka-single.yml", 1),
    ]
    assert clusters[0].evidence == "the services of one compose file (compose-variants/docker-compose.yml)"


def test_kafkas_own_kraft_configs_are_alternatives_not_one_cluster() -> None:
    """Kafka's config/kraft/{broker,controller,server}.properties share controller.quorum.voters, but
    server.properties reuses the controller's node.id 1: three clusters of one, no STO018, no STO015."""
    assert rows("kafka-config", CROSS_FILE) == set()
    clusters = declared_clusters(read_paths(["kafka-config"]).brokers)
    assert [len(c.brokers) for c in clusters] == [1, 1, 1]
    assert all("a node id is reused" in c.evidence for c in clusters)


def test_server_properties_sharing_a_quorum_with_distinct_node_ids_are_one_cluster(tmp_path: Path) -> None:
    for node in (1, 2, 3):
        (tmp_path / f"server-{node}.properties").write_text(
            f"process.roles=broker,controller\nnode.id={node}\n"
            "controller.quorum.voters=1@k1:9093,2@k2:9093,3@k3:9093\nmin.insync.replicas=2\n"
        )
    (tmp_path / "other.properties").write_text("broker.id=1\nzookeeper.connect=zk:2181/other\nmin.insync.replicas=1\n")
    clusters = declared_clusters(read_paths([str(tmp_path)]).brokers)
    assert sorted(len(c.brokers) for c in clusters) == [1, 3]
    quorum = next(c for c in clusters if len(c.brokers) == 3)
    assert quorum.name == "controller.quorum.voters=1@k1:9093,2@k2:9093,3@k3:9093"


def test_strimzi_examples_named_my_cluster_in_different_folders_are_different_clusters() -> None:
    """Strimzi's examples/kafka and examples/kafka/kraft both define my-cluster: two clusters (STO015
    counts the 3 replicas of one only), and examples/topic's my-topic is linked to neither."""
    assert rows("strimzi-examples", CROSS_FILE) == {
        ("STO015", "fail", "Kafka/my-cluster", "strimzi-examples/kafka/kafka-persistent.yaml", None),
    }
    found = read_paths(["strimzi-examples"])
    clusters = declared_clusters(found.brokers)
    assert len(clusters) == 2
    assert linked_cluster(found.topics[0], clusters) is None
    # what my-topic leaves to its unlinked Kafka is one STO021 unknown for Kafka/my-cluster (#13 B), not per topic
    assert ("STO021", "unknown", "Kafka/my-cluster") in {r[:3] for r in rows("strimzi-examples", ("STO021",))}
    assert "KafkaTopic/my-topic" not in {r[2] for r in rows("strimzi-examples", ("STO002",))}


def test_a_strimzi_topic_links_to_the_kafka_of_its_folder_first(tmp_path: Path) -> None:
    for folder, isr in (("a", 2), ("b", 1)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "kafka.yaml").write_text(
            "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: my-cluster\n"
            f"spec:\n  kafka:\n    replicas: 3\n    config:\n      min.insync.replicas: {isr}\n"
        )
    (tmp_path / "b" / "topic.yaml").write_text(
        "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: t\n"
        "  labels:\n    strimzi.io/cluster: my-cluster\nspec:\n  replicas: 3\n"
    )
    found = read_paths([str(tmp_path)])
    cluster = linked_cluster(found.topics[0], declared_clusters(found.brokers))
    assert cluster is not None and cluster.brokers[0].path == str(tmp_path / "b" / "kafka.yaml")


def test_a_strimzi_topic_in_another_namespace_is_not_linked(tmp_path: Path) -> None:
    (tmp_path / "kafka.yaml").write_text(
        "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: c\n  namespace: kafka\n"
        "spec:\n  kafka:\n    replicas: 3\n"
    )
    (tmp_path / "topic.yaml").write_text(
        "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: t\n  namespace: team-a\n"
        "  labels:\n    strimzi.io/cluster: c\nspec:\n  replicas: 3\n"
    )
    found = read_paths([str(tmp_path)])
    assert linked_cluster(found.topics[0], declared_clusters(found.brokers)) is None


def test_a_topicctl_topic_is_not_judged_against_an_unrelated_compose_broker() -> None:
    """topicctl's topic names its cluster (prod-us-east) in meta; the one-broker compose file beside
    it is not that cluster: no STO016 'replication factor 3 above 1 broker'."""
    assert rows("topicctl-beside-compose", CROSS_FILE) == set()
