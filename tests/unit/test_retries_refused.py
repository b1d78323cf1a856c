"""PRD002 tells a producer that never starts from one that drops messages: with idempotence set
explicitly (or a transactional.id, which requires it), retries=0 makes Java kafka-clients
(ProducerConfig.postProcessAndValidateIdempotenceConfigs: "Must set retries to non-zero when using
the idempotent producer"), librdkafka (rd_kafka_new: "`retries` must be set >= 1 when
`enable.idempotence` is true"), kafka-python 2.2+, sarama (Config.Validate: "Idempotent producer
requires Producer.Retry.Max >= 1") and kafkajs (kafka.producer(): "Idempotent producer must allow
retries to protect against transient errors") refuse to build it. Java drops a *default* idempotence
instead, and the message is lost at the first transient error. Likewise a transactional.id with
acks other than all: the Java client refuses it ("Cannot set a transactional.id without also
enabling idempotence", once acks=1 dropped the default), so PRD001 says it will not start.

Each reader that can see such a producer is tried on a file in the shape of public code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.facts.clients import ClientView, retries_refused
from auditor.findings import Finding
from auditor.model import ClientConfig, Estate, Role
from auditor.sources.files import read_paths
from tests.client_builders import client

PRODUCER = ("producer",)
WILL_NOT_START = {
    "PRD001": "Producer will not start (acks not all while idempotent)",
    "PRD002": "Producer will not start (retries=0 while idempotent)",
    "PRD003": "Producer will not start (transactional.id with idempotence off)",
}


def refused(config: ClientConfig) -> object:
    return retries_refused(ClientView(config, Role.PRODUCER)).value


def test_the_client_decides_whether_retries_0_is_refused() -> None:
    assert refused(client(roles=PRODUCER, enable_idempotence="true", retries="0")) is True
    assert refused(client(roles=PRODUCER, retries="0")) is False  # Java drops its default idempotence
    assert refused(client(roles=PRODUCER, enable_idempotence="false", retries="0")) is False
    assert refused(client(roles=PRODUCER, enable_idempotence=None, retries="0")) is None
    assert refused(client(roles=PRODUCER, enable_idempotence="true", retries=None)) is False  # PRD002: retries
    assert refused(client(roles=PRODUCER, transactional_id="tx", retries="0")) is True
    assert refused(client("librdkafka", roles=PRODUCER, transactional_id="tx", retries="0")) is True
    assert refused(client("kafka-python", version="2.2.0", roles=PRODUCER, enable_idempotence="true", retries="0"))
    assert refused(client("sarama", roles=PRODUCER, enable_idempotence="true", retries="0")) is True
    assert refused(client("kafkajs", roles=PRODUCER, enable_idempotence="true", retries="0")) is True
    assert refused(client("franz-go", roles=PRODUCER, retries="0")) is False  # no such check in franz-go
    assert refused(client("aiokafka", roles=PRODUCER, enable_idempotence="true", retries="0")) is False


def test_java_2_forces_acks_all_on_an_idempotent_producer() -> None:
    """KafkaProducer.configureAcks (2.x): an idempotent producer that leaves acks unset gets acks=all,
    so it starts; only an acks=1 it sets is refused."""
    started = judge(Estate(clients=(client(version="2.8.2", roles=PRODUCER, enable_idempotence="true"),)), load_rules())
    assert [f.rule_id for f in started] == []
    [finding] = judge(
        Estate(clients=(client(version="2.8.2", roles=PRODUCER, enable_idempotence="true", acks="1"),)), load_rules()
    )
    assert (finding.rule_id, finding.title) == ("PRD001", WILL_NOT_START["PRD001"])


# (file name, text, rule, line of the refused value); each in the shape of a public project's code.
READERS: dict[str, tuple[str, str, str, int]] = {
    # Kafka's config/producer.properties with the idempotence settings of its documentation
    "java-properties": (
        "producer.properties",
        "bootstrap.servers=localhost:9092\nenable.idempotence=true\nretries=0\n",
        "PRD002",
        3,
    ),
    # apache/kafka's examples/src/main/java/kafka/examples/Producer.java: Properties with ProducerConfig constants
    "java-code": (
        "OrderProducer.java",
        """package kafka.examples;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

public class OrderProducer {
    public KafkaProducer<String, String> create() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.RETRIES_CONFIG, 0);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(props);
    }
}
""",
        "PRD002",
        13,
    ),
    # spring-kafka's transactions sample application.yml: a transaction-id-prefix with acks 1
    "spring-transactional-acks": (
        "application.yml",
        """spring:
  kafka:
    bootstrap-servers: localhost:9092
    producer:
      transaction-id-prefix: tx-
      acks: 1
""",
        "PRD001",
        6,
    ),
    # dpkp/kafka-python's README: KafkaProducer keyword arguments
    "kafka-python": (
        "publisher.py",
        """from kafka import KafkaProducer

producer = KafkaProducer(
    bootstrap_servers="localhost:9092",
    enable_idempotence=True,
    retries=0,
)
producer.send("orders", b"some_message_bytes")
""",
        "PRD002",
        6,
    ),
    # confluent-kafka-python's examples/producer.py: a config dict passed to Producer
    "confluent-kafka-python": (
        "producer.py",
        """from confluent_kafka import Producer

conf = {"bootstrap.servers": "localhost:9092", "enable.idempotence": True, "retries": 0}
p = Producer(conf)
p.produce("orders", b"value")
""",
        "PRD002",
        3,
    ),
    # IBM/sarama's examples/http_server: a *sarama.Config with field assignments
    "sarama": (
        "collector.go",
        """package main

import "github.com/IBM/sarama"

func newDataCollector(brokers []string) (sarama.SyncProducer, error) {
	config := sarama.NewConfig()
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Idempotent = true
	config.Net.MaxOpenRequests = 1
	config.Producer.Retry.Max = 0
	config.Producer.Return.Successes = true
	return sarama.NewSyncProducer(brokers, config)
}
""",
        "PRD002",
        10,
    ),
    # tulios/kafkajs's docs/Producing.md: kafka.producer({ idempotent, retry })
    "kafkajs": (
        "orders.js",
        """const { Kafka } = require('kafkajs')

const kafka = new Kafka({ clientId: 'my-app', brokers: ['kafka1:9092'] })
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 0 } })
""",
        "PRD002",
        4,
    ),
    # confluent-kafka-dotnet's examples/Producer/Program.cs: a ProducerConfig object initialiser
    "confluent-kafka-dotnet": (
        "Program.cs",
        """using Confluent.Kafka;

public class Program
{
    public static IProducer<Null, string> Build(string brokerList)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = brokerList,
            EnableIdempotence = true,
            MessageSendMaxRetries = 0,
        };
        return new ProducerBuilder<Null, string>(config).Build();
    }
}
""",
        "PRD002",
        11,
    ),
}


def _findings(folder: Path, name: str, text: str) -> list[Finding]:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    read = read_paths([str(path)])
    assert not read.gaps, read.gaps
    return judge(Estate(clients=read.clients), load_rules())


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_says_the_producer_will_not_start(tmp_path: Path, reader: str) -> None:
    name, text, rule, line = READERS[reader]
    findings = _findings(tmp_path, name, text)
    [finding] = [f for f in findings if f.rule_id == rule]
    assert (finding.title, finding.severity.value, finding.status.value) == (WILL_NOT_START[rule], "medium", "fail")
    assert "will not start" in finding.message and "drops the message" not in finding.message
    assert "counts as done" not in finding.message
    assert finding.location is not None and finding.location.line == line
    assert not [f for f in findings if f.rule_id == "PRD003"]  # it is idempotent, or it does not start


def test_without_explicit_idempotence_java_takes_retries_0_and_loses(tmp_path: Path) -> None:
    findings = _findings(tmp_path, "producer.properties", "bootstrap.servers=localhost:9092\nretries=0\n")
    [prd002] = [f for f in findings if f.rule_id == "PRD002"]
    assert (prd002.title, prd002.severity.value) == ("Producer retries disabled", "high")
    assert "drops the message" in prd002.message
    assert [f.rule_id for f in findings if f.rule_id == "PRD003"] == ["PRD003"]  # the default dropped


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        # spring-kafka's transactions sample application.yml, idempotence turned off through properties
        (
            "application.yml",
            "spring:\n  kafka:\n    producer:\n      transaction-id-prefix: tx-\n"
            "      properties:\n        enable.idempotence: false\n",
            6,
        ),
        # confluent-kafka-python's examples/eos-transactions.py producer config, idempotence set off
        (
            "eos.py",
            "from confluent_kafka import Producer\n\n"
            "producer = Producer({'bootstrap.servers': 'localhost:9092', 'transactional.id': 'eos-transactions',\n"
            "                     'enable.idempotence': False})\n",
            4,
        ),
        # IBM/sarama's examples/txn_producer: Producer.Transaction.ID set, Producer.Idempotent left false
        (
            "txn.go",
            'package main\n\nimport "github.com/IBM/sarama"\n\n'
            "func newTxnProducer(brokers []string) (sarama.SyncProducer, error) {\n"
            "\tconfig := sarama.NewConfig()\n"
            '\tconfig.Producer.Transaction.ID = "txn_producer"\n'
            "\tconfig.Producer.RequiredAcks = sarama.WaitForAll\n"
            "\tconfig.Net.MaxOpenRequests = 1\n"
            "\treturn sarama.NewSyncProducer(brokers, config)\n"
            "}\n",
            10,
        ),
    ],
)
def test_a_transactional_producer_with_idempotence_off_will_not_start(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    """Java: "Cannot set a transactional.id without also enabling idempotence"; librdkafka:
    "`transactional.id` requires `enable.idempotence=true`". Not "not idempotent": it never sends."""
    [finding] = [f for f in _findings(tmp_path, name, text) if f.rule_id == "PRD003"]
    assert (finding.title, finding.severity.value, finding.status.value) == (WILL_NOT_START["PRD003"], "medium", "fail")
    assert "will not start" in finding.message and "duplicate" not in finding.message
    assert finding.location is not None and finding.location.line == line
