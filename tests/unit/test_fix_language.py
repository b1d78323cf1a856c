"""Fixes in the language of the file a finding is in (issue #13, pattern 9): a Strimzi field, a
Terraform argument, a topicctl field, the compose variable of the service's image (KAFKA_CFG_ on
bitnami, KAFKA_ on apache/confluent/wurstmeister), a server.properties key; for clients a Spring
Boot property (typed or pass-through) or its relaxed environment variable in a Kubernetes
container, a client .properties key, a librdkafka JSON key, a kafka-python keyword argument at the
line that builds the client; the kafka-configs.sh command only for a live cluster. The wording is
data (rules/commands.yaml variants per format); the facts give the declaring file, its format and
how it writes a setting (facts/spelling.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, audit_estate, read_files
from auditor.engine.commands import SpelledCommand, load_commands, spell_settings
from auditor.engine.rules import load_rules
from auditor.engine.templates import ShellText
from auditor.errors import InputError
from auditor.facts.spelling import SettingNames, Style
from auditor.model import Estate, Role
from tests.builders import judge_estate, snapshot, topic

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
CODE = FIXTURES.parent / "code"
RULES = load_rules()


def fixes(folder: str, root: Path = FIXTURES) -> dict[tuple[str, str], str]:
    estate, targets = read_files(FileSources((str(root / folder),)))
    result = audit_estate(estate, targets, RULES, AuditOptions())
    return {
        (f.rule_id, f.resource.name.replace(str(root) + "/", "")): f.remediation.replace(str(root) + "/", "")
        for f in result.findings
    }


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
        # docker-compose (confluentinc/cp-all-in-one, bitnami, wurstmeister services): the image's own variable
        ("compose", "STO001", "audit", "set the replicas field of the topic's KAFKA_CREATE_TOPICS entry"),
        (
            "compose",
            "STO004",
            "confluent",
            "in compose/docker-compose.yml, in the service's environment (then recreate the container), set "
            "KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE=false;",
        ),
        ("compose", "STO002", "bitnami", "set KAFKA_CFG_MIN_INSYNC_REPLICAS=2 ("),
        ("compose", "STO002", "apache", "set KAFKA_MIN_INSYNC_REPLICAS=2 ("),
        ("compose", "STO005", "confluent", "(then recreate the container), set KAFKA_DEFAULT_REPLICATION_FACTOR=3 ("),
        ("compose", "STO007", "bitnami", "set KAFKA_CFG_OFFSETS_TOPIC_REPLICATION_FACTOR=3;"),
        ("compose", "STO007", "wurstmeister", "set KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=3;"),
        ("compose", "STO009", "bitnami", "set KAFKA_CFG_TRANSACTION_STATE_LOG_MIN_ISR=2 ("),
        (
            "compose",
            "STO015",
            "bitnami",
            "In compose/docker-compose.yml, set the service's KAFKA_CFG_BROKER_RACK to its",
        ),
        ("compose", "STO015", "confluent", "In compose/docker-compose.yml, set the service's KAFKA_BROKER_RACK to its"),
        # server.properties (Kafka's config/server.properties)
        ("server-properties", "STO002", "server-properties/server.properties", "in {path}, set min.insync.replicas=2"),
    ],
)
def test_a_store_fix_speaks_the_language_of_its_file(folder: str, rule: str, resource: str, fix: str) -> None:
    text = fixes(folder)[(rule, resource)]
    assert fix.replace("{path}", "server-properties/server.properties") in text, text
    assert "kafka-configs.sh" not in text and "kafka-topics.sh" not in text


@pytest.mark.parametrize(
    ("folder", "rule", "resource", "fix"),
    [
        # Spring Boot files (spring-kafka samples' application.yml / .properties): the typed property, else
        # the pass-through map, in the file's own syntax
        (
            "spring",
            "PRD001",
            "spring/application.yml",
            "In spring/application.yml, set spring.kafka.producer.acks: all,",
        ),
        (
            "spring",
            "PRD003",
            "spring/precedence/application.properties",
            "In spring/precedence/application.properties, set "
            "spring.kafka.producer.properties.enable.idempotence=true,",
        ),
        ("spring", "CON002", "spring/application.yml", "set spring.kafka.consumer.auto-offset-reset: earliest,"),
        ("spring", "CON003", "spring/application.yml", "set spring.kafka.consumer.enable-auto-commit: false ("),
        # Kubernetes containers setting Spring properties in their environment: the relaxed variable
        (
            "spring-on-kubernetes",
            "PRD001",
            "Job/orders-replay/replay",
            "In the environment of Job/orders-replay/replay (spring-on-kubernetes/k8s/replay.yaml), set "
            "SPRING_KAFKA_PRODUCER_ACKS=all,",
        ),
        (
            "spring-on-kubernetes",
            "PRD003",
            "Deployment/orders/app",
            "set SPRING_KAFKA_PRODUCER_PROPERTIES_ENABLE_IDEMPOTENCE=true,",
        ),
        (
            "spring-on-kubernetes",
            "CON002",
            "Job/orders-replay/replay",
            "set SPRING_KAFKA_CONSUMER_AUTOOFFSETRESET=earliest,",
        ),
        # client .properties (Kafka's config/producer.properties) and librdkafka / kafka-python JSON
        (
            "properties",
            "PRD001",
            "properties/acks-1-producer.properties",
            "In properties/acks-1-producer.properties, set acks=all,",
        ),
        (
            "librdkafka",
            "PRD003",
            "librdkafka/producer.json",
            'In librdkafka/producer.json, set "enable.idempotence": "true",',
        ),
        ("librdkafka", "PRD003", "librdkafka/kafka-python-producer.json", 'set "enable_idempotence": true,'),
        (
            "librdkafka",
            "CON002",
            "librdkafka/consumer.conf",
            "In librdkafka/consumer.conf, set auto.offset.reset=earliest,",
        ),
        # client maps nested in an application's own config: under their key path, in the file's
        # syntax, with the names the map uses (kafka-python's keywords, or librdkafka's keys)
        (
            "nested-clients/fastapi",
            "PRD001",
            "nested-clients/fastapi/settings.yaml#kafka.producer",
            "In nested-clients/fastapi/settings.yaml, under kafka.producer, set acks: all,",
        ),
        (
            "nested-clients/fastapi",
            "PRD003",
            "nested-clients/fastapi/settings.yaml#kafka.producer",
            "under kafka.producer, set enable_idempotence: true,",
        ),
        (
            "nested-clients/confluent-python",
            "CON001",
            "nested-clients/confluent-python/config.json#consumer",
            'In nested-clients/confluent-python/config.json, under consumer, set "enable.auto.commit": "false" and',
        ),
        (
            "nested-clients/go-service",
            "CON001",
            "nested-clients/go-service/config.toml#kafka.consumer",
            'In nested-clients/go-service/config.toml, under kafka.consumer, set "enable.auto.commit" = false and',
        ),
        # a .env's client variables: the variable, after the prefix the file uses
        (
            "dotenv",
            "PRD001",
            "dotenv/.env#ORDERS_KAFKA_PRODUCER_*",
            "In dotenv/.env, set ORDERS_KAFKA_PRODUCER_ACKS=all,",
        ),
    ],
)
def test_a_client_fix_speaks_the_language_of_its_file(folder: str, rule: str, resource: str, fix: str) -> None:
    text = fixes(folder)[(rule, resource)]
    assert fix in text, text
    assert "kafka-configs.sh" not in text


@pytest.mark.parametrize(
    ("folder", "rule", "resource", "fix"),
    [
        # kafka-python: the keyword argument, at the line that builds the client
        (
            "python",
            "CON001",
            "python/publisher.py:42",
            "In the client built at python/publisher.py:42, set enable_auto_commit=False ",
        ),
        (
            "python",
            "PRD001",
            "python/publisher.py:13",
            'In the client built at python/publisher.py:13, set acks="all",',
        ),
        # confluent-kafka (librdkafka's config dict): its key
        ("python", "CON001", "python/confluent_service.py:31", 'set "enable.auto.commit": "false" and commit'),
        # kafka-clients: the Java key (props.put)
        (
            "java",
            "CON001",
            "java/OrderConsumers.java:23",
            "In the client built at java/OrderConsumers.java:23, set enable.auto.commit=false",
        ),
        # a Spring @KafkaListener: Spring Boot's property, not the listener's line
        (
            "java",
            "CON001",
            "java/OrderListeners.java:25",
            "In the Spring Boot properties of the application whose listener is at java/OrderListeners.java:25 (or its "
            "container factory's consumer properties), set spring.kafka.consumer.enable-auto-commit=false",
        ),
        # sarama / franz-go: options of their own, named by the setting they give
        (
            "go",
            "PRD001",
            "go/sarama_service.go:16",
            "In the client built at go/sarama_service.go:16, set the library's own option that gives acks=all",
        ),
    ],
)
def test_a_client_built_in_code_is_fixed_at_its_line(folder: str, rule: str, resource: str, fix: str) -> None:
    text = fixes(folder, CODE)[(rule, resource)]
    assert fix in text, text


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


@pytest.mark.parametrize(
    ("names", "key", "value", "written"),
    [
        (SettingNames(), "min.insync.replicas", "2", "min.insync.replicas=2"),
        (SettingNames(Style.YAML), "min.insync.replicas", "2", "min.insync.replicas: 2"),
        (SettingNames(Style.HCL), "cleanup.policy", "compact", '"cleanup.policy" = "compact"'),
        (SettingNames(Style.JSON), "acks", "all", '"acks": "all"'),
        (
            SettingNames(Style.ENVIRONMENT, prefix="KAFKA_CFG_"),
            "min.insync.replicas",
            "2",
            "KAFKA_CFG_MIN_INSYNC_REPLICAS=2",
        ),
        # the images' convention: `_` is written `__`, `-` is written `___`
        (SettingNames(Style.ENVIRONMENT, prefix="KAFKA_"), "a_b-c.d", "1", "KAFKA_A__B___C_D=1"),
        (
            SettingNames(Style.SPRING_YAML, role=Role.CONSUMER),
            "enable.auto.commit",
            "false",
            "spring.kafka.consumer.enable-auto-commit: false",
        ),
        (
            SettingNames(Style.SPRING_PROPERTIES, role=Role.PRODUCER),
            "linger.ms",
            "5",
            "spring.kafka.producer.properties.linger.ms=5",
        ),
        (
            SettingNames(Style.SPRING_ENV, role=Role.CONSUMER),
            "max.poll.interval.ms",
            "1",
            "SPRING_KAFKA_CONSUMER_MAXPOLLINTERVAL=1",
        ),
        (SettingNames(Style.KEYWORD), "enable.idempotence", "true", "enable_idempotence=True"),
        (SettingNames(Style.KEYWORD), "delivery.timeout.ms", "{params.x}", "delivery_timeout_ms={params.x}"),
        (SettingNames(Style.KEYWORD_JSON), "acks", "all", '"acks": "all"'),
        (SettingNames(Style.KEYWORD_YAML), "enable.idempotence", "true", "enable_idempotence: true"),
        (SettingNames(Style.TOML), "enable.auto.commit", "false", '"enable.auto.commit" = false'),
        (SettingNames(Style.KEYWORD_TOML), "acks", "all", 'acks = "all"'),
    ],
)
def test_each_style_writes_a_setting_as_its_file_does(names: SettingNames, key: str, value: str, written: str) -> None:
    assert names.assign(key, value) == written


def test_only_settings_after_a_spelled_command_are_respelled() -> None:
    values = {
        "setting_names": SettingNames(Style.YAML),
        "set_config": SpelledCommand("in f.yaml, set"),
        "set_default": ShellText("kafka-configs.sh --add-config"),
    }
    template = "{set_config} min.insync.replicas=2. Then {set_default} min.insync.replicas={params.n}; keep a=b."
    assert spell_settings(template, values) == (
        "{set_config} min.insync.replicas: 2. Then {set_default} min.insync.replicas={params.n}; keep a=b."
    )
    assert spell_settings(template, {**values, "setting_names": None}) == template


def test_a_variant_spell_must_be_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "commands.yaml"
    path.write_text("commands:\n  c:\n    description: d\n    variants:\n      - {text: t, spell: yes please}\n")
    with pytest.raises(InputError, match="spell: true"):
        load_commands(path)
