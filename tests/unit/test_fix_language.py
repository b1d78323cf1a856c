"""Fixes in the language of the file a finding is in (issue #13, point 4): a Strimzi field, a
Terraform argument, a topicctl field, a compose variable, a server.properties key; the
kafka-configs.sh command only for a live cluster. The wording is data (rules/commands.yaml
variants per file format); the facts give only the declaring file and its format."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, audit_estate, read_files
from auditor.engine.rules import load_rules
from auditor.model import Estate
from tests.builders import judge_estate, snapshot, topic

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
RULES = load_rules()


def fixes(folder: str) -> dict[tuple[str, str], str]:
    estate, targets = read_files(FileSources((str(FIXTURES / folder),)))
    result = audit_estate(estate, targets, RULES, AuditOptions())
    return {(f.rule_id, f.resource.name): f.remediation.replace(str(FIXTURES) + "/", "") for f in result.findings}


@pytest.mark.parametrize(
    ("folder", "rule", "resource", "fix"),
    [
        # Strimzi (examples/kafka/kafka-persistent.yaml and examples/topic/kafka-topic.yaml shapes)
        ("strimzi", "STO001", "KafkaTopic/payments", "In strimzi/topics.yaml, set the KafkaTopic's spec.replicas to 3"),
        ("strimzi", "STO002", "KafkaTopic/payments", "in strimzi/topics.yaml, under the KafkaTopic's spec.config, set"),
        (
            "strimzi",
            "STO002",
            "Kafka/prod",
            "in strimzi/cluster.yaml, under the Kafka resource's spec.kafka.config (Strimzi rolls the brokers), set",
        ),
        (
            "strimzi",
            "STO006",
            "Kafka/prod",
            "in strimzi/cluster.yaml, under the Kafka resource's spec.kafka.config (Strimzi rolls the brokers), set",
        ),
        ("strimzi", "STO015", "Kafka/prod", "In strimzi/cluster.yaml, set spec.kafka.rack.topologyKey"),
        # Terraform (Mongey/kafka provider)
        (
            "terraform",
            "STO001",
            'kafka_topic.events["clicks"]',
            "In terraform/main.tf, set the kafka_topic's replication_factor argument to 3",
        ),
        (
            "terraform",
            "STO004",
            "kafka_topic.orders",
            "in terraform/main.tf, in the kafka_topic's config = { ... } map",
        ),
        # topicctl (segmentio/topicctl examples)
        ("topicctl", "STO001", "orders", "In topicctl/orders.yaml, set the topic's spec.replicationFactor to 3"),
        ("topicctl", "STO002", "orders", "in topicctl/orders.yaml, under the topic's spec.settings, set"),
        # docker-compose (confluentinc/cp-all-in-one, bitnami, wurstmeister services)
        ("compose", "STO001", "audit", "set the replicas field of the topic's KAFKA_CREATE_TOPICS entry"),
        ("compose", "STO004", "confluent", "in the service's environment, set the image's variable (KAFKA_ and"),
        ("compose", "STO005", "confluent", "in the service's environment (then recreate the container)"),
        ("compose", "STO015", "bitnami", "set the service's KAFKA_BROKER_RACK (KAFKA_CFG_BROKER_RACK on bitnami"),
        # server.properties (Kafka's config/server.properties)
        ("server-properties", "STO002", "{path}", "in {path}, set min.insync.replicas=2"),
    ],
)
def test_a_store_fix_speaks_the_language_of_its_file(folder: str, rule: str, resource: str, fix: str) -> None:
    path = "server-properties/server.properties"
    found = fixes(folder)
    resource = str(FIXTURES / path) if resource == "{path}" else resource
    text = found[(rule, resource)]
    assert fix.replace("{path}", path) in text, text
    assert "kafka-configs.sh" not in text and "kafka-topics.sh" not in text


def test_strimzi_never_says_set_broker_rack_and_restart() -> None:
    text = fixes("strimzi")[("STO015", "Kafka/prod")]
    assert "broker.rack to" not in text and "restart" not in text, text


def test_a_live_cluster_gets_the_kafka_configs_command() -> None:
    (finding,) = [
        f
        for f in judge_estate(Estate(cluster=snapshot(topic("orders", min_isr="1"))))
        if f.rule_id == "STO002" and f.resource.kind == "topic"
    ]
    assert finding.remediation.startswith("kafka-configs.sh --bootstrap-server"), finding.remediation
    assert "--entity-type topics --entity-name orders --add-config min.insync.replicas=2" in finding.remediation
