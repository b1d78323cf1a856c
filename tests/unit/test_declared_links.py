"""Declared links between files and clusters: topicctl's cluster file (bootstrapAddrs) and a
Terraform kafka provider's bootstrap_servers link topics to the declared brokers that advertise
those addresses; the policy's `clusters:` entries with `files:` declare a cluster for files.
Cross-file rules (STO016, STO018) then run within that cluster, and only there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, Sources, audit_sources
from auditor.engine.rules import load_rules
from auditor.errors import InputError
from auditor.fleet import parse_inventory
from auditor.policyfile import load_policy
from auditor.result import AuditResult
from auditor.sources.files import read_paths
from auditor.yamlread import load_located

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "files" / "declared-links"
Row = tuple[str, str, str, int | None, str | None]  # rule, status, resource, line, actual source


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(FIXTURES)
    yield


def audit(path: str, options: AuditOptions | None = None) -> AuditResult:
    return audit_sources(Sources(files=FileSources((path,))), options or AuditOptions())


def topic_rows(result: AuditResult) -> set[Row]:
    return {
        (f.rule_id, f.status.value, f.resource.name, f.location.line if f.location else None, f.actual_source)
        for f in result.findings
        if f.resource.kind == "topic"
    }


def test_topicctl_topic_is_linked_by_its_cluster_files_bootstrap_addresses() -> None:
    """The topic leaves min ISR to the brokers at localhost:9092 (bitnami, min ISR 1): STO002 fails on
    the inherited value, and STO016 counts that cluster's one broker. The dev stack at :29092 (min ISR
    2, unclean election on) is another cluster: nothing of it reaches the topic."""
    (topic,) = read_paths(["topicctl"]).topics
    assert (topic.bootstrap, topic.bootstrap_from) == (
        ("localhost:9092",),
        "topicctl cluster file topicctl/local-cluster/cluster.yaml:9",
    )
    result = audit("topicctl")
    events = "topicctl/local-cluster/topics/events.yaml"
    assert topic_rows(result) == {
        ("STO002", "fail", "events", None, f"set in {events}: inherited from kafka (topicctl/docker-compose.yml:15)"),
        ("STO016", "fail", "events", 11, f"set in {events}:11"),
    }
    assert [(c.name, [(m.name, m.link) for m in c.members]) for c in result.clusters] == [
        ("topicctl/docker-compose.yml", [("kafka", None), ("events", topic.bootstrap_from)]),
        ("topicctl/dev/docker-compose.yml", [("broker", None)]),
    ]


def test_a_cluster_file_of_another_environment_links_nothing(tmp_path: Path) -> None:
    (tmp_path / "cluster.yaml").write_text(
        "meta:\n  name: c\n  environment: staging\nspec:\n  bootstrapAddrs:\n    - localhost:9092\n"
    )
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "t.yaml").write_text(
        "meta:\n  name: t\n  cluster: c\n  environment: prod\nspec:\n  partitions: 1\n  replicationFactor: 3\n"
    )
    found = read_paths([str(tmp_path)])
    assert [(t.name, t.bootstrap) for t in found.topics] == [("t", ())]
    assert [t.format for t in found.targets] == ["topicctl", "topicctl"]  # the cluster file is recognised
    assert found.gaps == ()


def test_terraform_provider_bootstrap_servers_link_the_modules_topics() -> None:
    """kafka_topic.logs sets min ISR 2 but leaves unclean election to the brokers the provider
    connects to (var.bootstrap_servers' default): the compose cluster advertising kafka1:19092 has
    it on, so STO004 fails on the topic with the inherited value."""
    (topic,) = read_paths(["terraform"]).topics
    assert (topic.bootstrap, topic.bootstrap_from) == (
        ("kafka1:19092", "kafka2:19093"),
        "kafka provider bootstrap_servers terraform/provider.tf:18",
    )
    result = audit("terraform")
    assert topic_rows(result) == {
        (
            "STO004",
            "fail",
            "kafka_topic.logs",
            None,
            "set in terraform/main.tf: inherited from kafka1 (terraform/docker-compose.yml:11)",
        )
    }
    (cluster,) = result.clusters
    assert [(m.name, m.link) for m in cluster.members][-1] == ("kafka_topic.logs", topic.bootstrap_from)


def test_without_a_provider_in_the_audit_the_topic_is_linked_to_nothing() -> None:
    """Without the provider file its brokers are not linked: unclean election is left to brokers the
    audit does not see, one STO021 for the module folder."""
    result = audit("terraform/main.tf")
    assert {(f.rule_id, f.status.value, f.resource.name) for f in result.findings} == {
        ("STO021", "unknown", "terraform/")
    }


def test_the_policy_declares_a_cluster_for_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two ZooKeeper-mode brokers write the same ensemble differently: alone they are two clusters
    (no STO018, the topic linked to none); declared `prod` in the policy they are one: STO018
    compares them (min.insync.replicas 2 and 1), the topic file under prod/ is linked and STO016
    counts two brokers for its three replicas."""
    monkeypatch.chdir(FIXTURES / "policy")
    alone = audit("prod")
    assert [c.name for c in alone.clusters] == [
        "zookeeper.connect=zk-1.prod.internal:2181/kafka",
        "zookeeper.connect=zk-1.prod.internal:2181,zk-2.prod.internal:2181/kafka",
    ]
    assert not [f for f in alone.findings if f.rule_id in ("STO016", "STO018")]
    declared = audit("prod", AuditOptions(policy=load_policy(Path("policy.yaml"), load_rules())))
    assert [(c.name, c.evidence, [(m.name, m.link) for m in c.members]) for c in declared.clusters] == [
        (
            "prod",
            "declared in the policy (policy.yaml:6)",
            [
                ("prod/broker-1.properties", None),
                ("prod/broker-2.properties", None),
                ("payments", "declared in the policy (policy.yaml:6)"),
            ],
        )
    ]
    cross = {(f.rule_id, f.resource.name) for f in declared.findings if f.rule_id in ("STO016", "STO018")}
    assert cross == {
        ("STO016", "payments"),
        ("STO018", "prod/broker-1.properties"),
        ("STO018", "prod/broker-2.properties"),
    }


def test_a_files_only_cluster_entry_is_not_a_cluster_to_connect_to(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("clusters:\n  - name: prod\n    files: [prod/*]\n  - name: live\n    bootstrap: k:9092\n")
    document = load_located(policy)
    assert [m.name for m in parse_inventory(document["clusters"], "x", tmp_path)] == ["live"]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("  - name: prod\n    files: []\n", "'files' must be a glob or a list of globs"),
        ("  - name: prod\n    files: [1]\n", "'files' must be a glob or a list of globs"),
        ("  - name: bad name\n    files: prod/*\n", "cluster name 'bad name'"),
        ("  - name: prod\n    files: a/*\n  - name: prod\n    files: b/*\n", "cluster 'prod' is given twice"),
    ],
)
def test_a_bad_files_entry_is_an_input_error_naming_the_line(tmp_path: Path, entry: str, problem: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("clusters:\n" + entry)
    document = load_located(policy)
    with pytest.raises(InputError, match=problem):
        parse_inventory(document["clusters"], f"{policy}:1", tmp_path)


def test_a_connect_worker_takes_the_default_replication_factor_of_the_cluster_it_connects_to() -> None:
    """storage replication factors of -1: the cluster at kafka1:19092 creates 3 replicas (CNX001
    passes); the developer stack's default of 1 in the same audit is another cluster's (before,
    the smallest default of every declared broker, 1, failed CNX001)."""
    result = audit("connect")
    worker = "connect/connect-distributed.properties"
    assert ("CNX001", worker) in {(p.rule_id, p.resource.name) for p in result.passes}
    assert not [f for f in result.findings if f.rule_id == "CNX001"]


def test_a_worker_whose_bootstrap_no_declared_cluster_advertises_is_unknown(tmp_path: Path) -> None:
    text = (FIXTURES / "connect" / "connect-distributed.properties").read_text()
    (tmp_path / "connect-distributed.properties").write_text(text.replace("kafka1:19092", "elsewhere:9092"))
    (tmp_path / "docker-compose.yml").write_text((FIXTURES / "connect" / "docker-compose.yml").read_text())
    result = audit(str(tmp_path))
    assert {(f.rule_id, f.status.value) for f in result.findings if f.rule_id == "CNX001"} == {("CNX001", "unknown")}
