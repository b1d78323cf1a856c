"""The report shows the clusters the audit formed from files: each group, why its members are
together (one compose file, one Strimzi resource, a shared quorum; a broker alone and why) and the
declared topics linked to it, in JSON (schema), the terminal summary, markdown and HTML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, Sources, audit_sources
from auditor.model import ClusterMember
from auditor.reports import Detail, OutputFormat, RenderOptions, render
from auditor.reports.load import result_from_document
from auditor.result import AuditResult
from tests.report_schema import assert_valid_report

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "files"


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(FILES)
    yield


def audit(*paths: str) -> AuditResult:
    return audit_sources(Sources(files=FileSources(paths)), AuditOptions())


def test_each_group_says_why_its_members_are_together() -> None:
    result = audit("clusters/compose-variants", "clusters/kafka-config", "strimzi")
    assert [(g.name, g.evidence) for g in result.clusters] == [
        (
            "clusters/compose-variants/docker-compose.yml",
            "the services of one compose file (clusters/compose-variants/docker-compose.yml)",
        ),
        (
            "clusters/compose-variants/zk-single-kafka-single.yml",
            "the services of one compose file (clusters/compose-variants/zk-single-kafka-single.yml)",
        ),
        *(
            (
                f"clusters/kafka-config/kraft/{name}.properties",
                f"clusters/kafka-config/kraft/{name}.properties alone "
                "(controller.quorum.voters=1@localhost:9093 shared, but a node id is reused)",
            )
            for name in ("broker", "controller", "server")
        ),
        ("Kafka/prod", "one Strimzi resource (strimzi/cluster.yaml)"),
    ]
    assert [m.name for m in result.clusters[0].members] == ["kafka1", "kafka2", "kafka3"]
    assert result.clusters[-1].members == (
        ClusterMember("broker", "Kafka/prod", "strimzi/cluster.yaml"),
        ClusterMember("topic", "KafkaTopic/orders", "strimzi/cluster.yaml", "strimzi.io/cluster: prod"),
        ClusterMember("topic", "KafkaTopic/inherits", "strimzi/cluster.yaml", "strimzi.io/cluster: prod"),
        ClusterMember("topic", "KafkaTopic/payments", "strimzi/topics.yaml", "strimzi.io/cluster: prod"),
    )


def test_a_topic_without_a_declared_link_is_in_no_group() -> None:
    """topicctl's topic beside a compose file: the compose cluster holds its broker only."""
    (group,) = audit("clusters/topicctl-beside-compose").clusters
    assert [(m.kind, m.name) for m in group.members] == [("broker", "kafka")]


def test_json_lists_the_groups_valid_against_the_schema_and_loads_back() -> None:
    result = audit("strimzi", "clusters/compose-variants")
    document = json.loads(render(result, OutputFormat.JSON))
    assert_valid_report(document)
    assert document["clusters"][0] == {
        "name": "Kafka/prod",
        "evidence": "one Strimzi resource (strimzi/cluster.yaml)",
        "members": [
            {"kind": "broker", "name": "Kafka/prod", "path": "strimzi/cluster.yaml"},
            *(
                {"kind": "topic", "name": n, "path": p, "link": "strimzi.io/cluster: prod"}
                for n, p in (
                    ("KafkaTopic/orders", "strimzi/cluster.yaml"),
                    ("KafkaTopic/inherits", "strimzi/cluster.yaml"),
                    ("KafkaTopic/payments", "strimzi/topics.yaml"),
                )
            ),
        ],
    }
    assert result_from_document(document).clusters == result.clusters


def test_no_declared_broker_no_clusters_key() -> None:
    document = json.loads(render(audit("topicctl"), OutputFormat.JSON))
    assert "clusters" not in document


def test_terminal_summary_counts_each_group_and_verbose_says_why() -> None:
    result = audit("strimzi", "clusters/compose-variants")
    normal = render(result, OutputFormat.TABLE, RenderOptions(width=400))
    assert (
        "3 clusters formed from files (Kafka/prod: 1 broker, 3 topics; "
        "clusters/compose-variants/docker-compose.yml: 3 brokers; "
        "clusters/compose-variants/zk-single-kafka-single.yml: 1 broker)"
    ) in normal
    assert "one Strimzi resource" not in normal  # compact: the reasons only with --verbose
    verbose = render(result, OutputFormat.TABLE, RenderOptions(width=400, detail=Detail.VERBOSE))
    assert (
        "Kafka/prod: one Strimzi resource (strimzi/cluster.yaml); brokers 1: Kafka/prod; "
        "topics 3: KafkaTopic/orders, KafkaTopic/inherits, KafkaTopic/payments"
    ) in verbose
    quiet = render(result, OutputFormat.TABLE, RenderOptions(width=400, detail=Detail.QUIET))
    assert "clusters formed" not in quiet


def test_markdown_and_html_show_a_table_of_the_groups() -> None:
    result = audit("strimzi", "clusters/compose-variants")
    markdown = render(result, OutputFormat.MARKDOWN)
    assert "### Clusters formed from files (3)" in markdown
    assert (
        "| clusters/compose-variants/docker-compose.yml | the services of one compose file "
        "(clusters/compose-variants/docker-compose.yml) | 3: kafka1, kafka2, kafka3 | none |"
    ) in markdown
    html = render(result, OutputFormat.HTML)
    assert "<h2>Clusters formed from files (3)</h2>" in html
    assert (
        "<tr><td>Kafka/prod</td><td>one Strimzi resource (strimzi/cluster.yaml)</td><td>1: Kafka/prod</td>"
        "<td>3: KafkaTopic/orders, KafkaTopic/inherits, KafkaTopic/payments</td></tr>"
    ) in html


def test_a_long_member_list_stays_one_line() -> None:
    """A module of many topics: five names, then how many more."""
    result = audit("strimzi")
    (group,) = result.clusters
    many = replace(group, members=group.members + tuple(ClusterMember("topic", f"t{i}", "x.tf") for i in range(9)))
    markdown = render(replace(result, clusters=(many,)), OutputFormat.MARKDOWN)
    assert "| 12: KafkaTopic/orders, KafkaTopic/inherits, KafkaTopic/payments, t0, t1 and 7 more |" in markdown
