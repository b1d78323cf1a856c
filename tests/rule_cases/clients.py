"""Fixtures of the client-config rules (PRD*, CON*): client configurations and every finding the
built-in rules make on each (tests/unit/test_client_rules.py judges them whole).

Each configuration becomes, for every rule of CLIENT_RULES its roles give a subject to, a fail
case (the rule is expected to find) or a pass case (the rule must judge it and pass). The rules
are listed here, not read from the catalog: a rule deleted from rules/ leaves its cases behind,
and they fail because nothing judged them; a rule added without fixtures fails
test_every_rule_has_cases.
"""

from __future__ import annotations

from auditor.model import ClientConfig, Estate, Kind
from tests.client_builders import client
from tests.rule_cases import RuleCase

Case = tuple[str, str, str, int | None]  # rule, severity, status, line

CLIENT_RULES: dict[Kind, tuple[str, ...]] = {
    Kind.PRODUCER: ("PRD001", "PRD002", "PRD003", "PRD004", "PRD005"),
    Kind.CONSUMER: ("CON001", "CON002", "CON003"),
}

PRODUCER = ("producer",)
CONSUMER = ("consumer",)
SAFE_CONSUMER = {"enable_auto_commit": "false", "auto_offset_reset": "earliest"}

CLIENT_CONFIGS: list[tuple[str, ClientConfig, set[Case]]] = [
    # --- producer: Java 3.x assumed
    ("java-defaults-clean", client(roles=PRODUCER), set()),
    (
        "java-acks-1-silently-drops-idempotence",
        client(roles=PRODUCER, acks="1"),
        {("PRD001", "high", "fail", 1), ("PRD003", "high", "fail", 1)},
    ),
    (
        "java-acks-0-critical",
        client(roles=PRODUCER, acks="0"),
        {("PRD001", "critical", "fail", 1), ("PRD003", "high", "fail", 1)},
    ),
    ("java-acks-minus-1-is-all", client(roles=PRODUCER, acks=" -1 "), set()),
    (  # ConfigException "Must set acks to all in order to use the idempotent producer": will not start
        "java-acks-1-explicit-idempotence-refused",
        client(roles=PRODUCER, acks="1", enable_idempotence="true"),
        {("PRD001", "medium", "fail", 1)},
    ),
    (  # 4.x's default idempotence is silently dropped by acks=1, not refused: the write is at risk
        "java4-acks-1-default-idempotence-dropped",
        client(version="4.1.0", roles=PRODUCER, acks="1"),
        {("PRD001", "high", "fail", 1), ("PRD003", "high", "fail", 1)},
    ),
    (  # refused if idempotent, lossy if not: which one, a placeholder hides
        "java-acks-1-idempotence-placeholder",
        client(roles=PRODUCER, acks="1", enable_idempotence=None),
        {("PRD001", "high", "unknown", 1), ("PRD003", "high", "unknown", 2)},
    ),
    (
        "java-retries-0",
        client(roles=PRODUCER, retries="0"),
        {("PRD002", "high", "fail", 1), ("PRD003", "high", "fail", 1)},
    ),
    (  # ConfigException "Must set retries to non-zero when using the idempotent producer": will not start
        "java-retries-0-explicit-idempotence-refused",
        client(roles=PRODUCER, enable_idempotence="true", retries="0"),
        {("PRD002", "medium", "fail", 2)},
    ),
    (  # refused if idempotent, lossy if not: which one, a placeholder hides
        "java-retries-0-idempotence-placeholder",
        client(roles=PRODUCER, retries="0", enable_idempotence=None),
        {("PRD002", "high", "unknown", 1), ("PRD003", "high", "unknown", 2)},
    ),
    (  # transactions require idempotence: "Cannot set a transactional.id without also enabling idempotence"
        "java-transactional-acks-1-refused",
        client(roles=PRODUCER, transactional_id="orders-tx", acks="1"),
        {("PRD001", "medium", "fail", 2)},
    ),
    (  # KafkaProducer.configureAcks (2.x): an idempotent producer that leaves acks unset gets acks=all
        "java2-explicit-idempotence-acks-forced-all",
        client(version="2.8.2", roles=PRODUCER, enable_idempotence="true"),
        set(),
    ),
    (  # Java 2.x turns idempotence on for a transactional producer, then refuses retries=0
        "java2-transactional-retries-0-refused",
        client(version="2.8.2", roles=PRODUCER, transactional_id="orders-tx", retries="0"),
        {("PRD002", "medium", "fail", 2)},
    ),
    (  # ConfigException "Cannot set a transactional.id without also enabling idempotence": will not start
        "java-transactional-idempotence-off-refused",
        client(roles=PRODUCER, transactional_id="orders-tx", enable_idempotence="false"),
        {("PRD003", "medium", "fail", 2)},
    ),
    (  # refused if set off, fine if on: which one, a placeholder hides
        "librdkafka-transactional-idempotence-placeholder",
        client("librdkafka", roles=PRODUCER, transactional_id="orders-tx", enable_idempotence=None),
        {("PRD003", "high", "unknown", 2), ("PRD004", "high", "unknown", None)},
    ),
    (  # KafkaConfigurationError "Cannot set transactional_id without enable_idempotence."
        "kafka-python-transactional-idempotence-off-refused",
        client("kafka-python", roles=PRODUCER, transactional_id="orders-tx", enable_idempotence="false"),
        {("PRD003", "medium", "fail", 2)},
    ),
    (  # Config.Validate: "Transactional producer requires Idempotent to be true" (Idempotent's default: false)
        "sarama-transactional-not-idempotent-refused",
        client("sarama", roles=PRODUCER, transactional_id="orders-tx", acks="all"),
        {("PRD003", "medium", "fail", None)},
    ),
    (  # AIOKafkaProducer: transactional_id turns idempotence on, over enable_idempotence=False
        "aiokafka-transactional-is-idempotent",
        client("aiokafka", roles=PRODUCER, transactional_id="orders-tx", enable_idempotence="false"),
        set(),
    ),
    (  # rd_kafka_new: "`retries` must be set >= 1 when `enable.idempotence` is true"
        "librdkafka-retries-0-explicit-idempotence-refused",
        client("librdkafka", roles=PRODUCER, enable_idempotence="true", retries="0"),
        {("PRD002", "medium", "fail", 2)},
    ),
    (  # not idempotent: librdkafka takes retries=0 and drops a message at the first error
        "librdkafka-retries-0",
        client("librdkafka", roles=PRODUCER, retries="0"),
        {("PRD002", "high", "fail", 1), ("PRD003", "high", "fail", None)},
    ),
    (  # Config.Validate: "Idempotent producer requires Producer.Retry.Max >= 1"
        "sarama-idempotent-retry-max-0-refused",
        client(
            "sarama",
            roles=PRODUCER,
            enable_idempotence="true",
            acks="all",
            max_in_flight_requests_per_connection="1",
            retries="0",
        ),
        {("PRD002", "medium", "fail", 4)},
    ),
    (  # kafka.producer(): "Idempotent producer must allow retries to protect against transient errors"
        "kafkajs-idempotent-retries-0-refused",
        client(
            "kafkajs", roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection="1", retries="0"
        ),
        {("PRD002", "medium", "fail", 3)},
    ),
    (  # KafkaConfigurationError "enable_idempotence=True is incompatible with user-provided retries=0"
        "kafka-python-idempotent-retries-0-refused",
        client("kafka-python", roles=PRODUCER, enable_idempotence="true", retries="0"),
        {("PRD002", "medium", "fail", 2)},
    ),
    (  # ... and with user-provided acks=1: kafka-python refuses it too
        "kafka-python-idempotent-acks-1-refused",
        client("kafka-python", roles=PRODUCER, enable_idempotence="true", acks="1"),
        {("PRD001", "medium", "fail", 2)},
    ),
    (  # franz-go has no retries check: RecordRetries(0) with its default idempotence starts
        "franz-go-retries-0-starts",
        client("franz-go", roles=PRODUCER, retries="0"),
        {("PRD002", "high", "fail", 1)},
    ),
    (
        "java-in-flight-6-silently-drops-idempotence",
        client(roles=PRODUCER, max_in_flight_requests_per_connection="6"),
        {("PRD003", "high", "fail", 1)},
    ),
    (
        "java4-in-flight-6-is-idempotent-error",
        client(version="4.1.0", roles=PRODUCER, max_in_flight_requests_per_connection="6"),
        {("PRD004", "medium", "fail", 1)},  # ConfigException: the producer will not start
    ),
    (
        "java-explicit-idempotence-in-flight-6",
        client(roles=PRODUCER, enable_idempotence="TRUE", max_in_flight_requests_per_connection="6"),
        {("PRD004", "medium", "fail", 2)},  # ConfigException: the producer will not start
    ),
    ("java-idempotence-off", client(roles=PRODUCER, enable_idempotence="false"), {("PRD003", "high", "fail", 1)}),
    (
        "java-delivery-timeout-short",
        client(roles=PRODUCER, delivery_timeout_ms="1000"),
        {("PRD005", "medium", "fail", 1)},
    ),
    ("java-delivery-timeout-ok", client(roles=PRODUCER, delivery_timeout_ms="40000", linger_ms="10"), set()),
    (
        "java-2.8-defaults",
        client(version="2.8.2", roles=PRODUCER),
        {("PRD001", "high", "fail", None), ("PRD003", "high", "fail", None)},
    ),
    ("java-3.0.0-kafka-13598", client(version="3.0.0", roles=PRODUCER), {("PRD003", "high", "fail", None)}),
    (
        "java-acks-placeholder-unknown",
        client(roles=PRODUCER, acks=None),
        {("PRD001", "high", "unknown", 1), ("PRD003", "high", "unknown", 1)},
    ),
    # --- producer: librdkafka
    ("librdkafka-defaults-not-idempotent", client("librdkafka", roles=PRODUCER), {("PRD003", "high", "fail", None)}),
    ("librdkafka-idempotent-clean", client("librdkafka", roles=PRODUCER, enable_idempotence="true"), set()),
    ("librdkafka-transactional-is-idempotent", client("librdkafka", roles=PRODUCER, transactional_id="tx-1"), set()),
    (
        "librdkafka-idempotent-in-flight-forced-5",
        client("librdkafka", roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection="10"),
        {("PRD004", "medium", "fail", 2)},  # rd_kafka_new fails: the producer will not start
    ),
    (  # kafkajs takes any maxInFlightRequests while idempotent: it reorders, it does not refuse
        "kafkajs-idempotent-in-flight-10",
        client("kafkajs", roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection="10"),
        {("PRD004", "high", "fail", 2)},
    ),
    (  # whether Java refuses 6 in flight depends on idempotence, which a placeholder hides
        "java-idempotence-placeholder-in-flight-6",
        client(roles=PRODUCER, enable_idempotence=None, max_in_flight_requests_per_connection="6"),
        {("PRD003", "high", "unknown", 1), ("PRD004", "high", "unknown", 2)},
    ),
    (  # Config.Validate: "Idempotent producer requires Producer.RequiredAcks to be WaitForAll"
        "sarama-idempotent-default-acks-refused",
        client("sarama", roles=PRODUCER, enable_idempotence="true", max_in_flight_requests_per_connection="1"),
        {("PRD001", "medium", "fail", None)},
    ),
    (  # franz-go's default idempotence with RequiredAcks(LeaderAck()): NewClient fails
        "franz-go-acks-1-default-idempotence-refused",
        client("franz-go", roles=PRODUCER, acks="1"),
        {("PRD001", "medium", "fail", 1)},
    ),
    (  # with DisableIdempotentWrite() it starts and loses what the leader alone had
        "franz-go-acks-1-idempotence-disabled",
        client("franz-go", roles=PRODUCER, acks="1", enable_idempotence="false"),
        {("PRD001", "high", "fail", 1), ("PRD003", "high", "fail", 2)},
    ),
    (  # rd_kafka_new: "`acks` must be set to `all` when `enable.idempotence` is true"
        "librdkafka-acks-0-explicit-idempotence-refused",
        client("librdkafka", roles=PRODUCER, acks="0", enable_idempotence="true"),
        {("PRD001", "medium", "fail", 1)},
    ),
    (  # kafkajs checks acks on each send (the send throws), it does not refuse to start
        "kafkajs-acks-1-idempotent",
        client(
            "kafkajs", roles=PRODUCER, acks="1", enable_idempotence="true", max_in_flight_requests_per_connection="1"
        ),
        {("PRD001", "high", "fail", 1)},
    ),
    (  # sarama's Net.MaxOpenRequests default 5 with Producer.Idempotent: Config.Validate refuses it
        "sarama-idempotent-default-open-requests",
        client("sarama", roles=PRODUCER, acks="all", enable_idempotence="true"),
        {("PRD004", "medium", "fail", None)},
    ),
    # --- producer: kafka-python, aiokafka
    (
        "kafka-python-3-acks-1",
        client("kafka-python", roles=PRODUCER, acks="1"),
        {("PRD001", "high", "fail", 1), ("PRD003", "high", "fail", 1)},
    ),
    (
        "kafka-python-2.0-defaults",
        client("kafka-python", version="2.0.2", roles=PRODUCER),
        {("PRD001", "high", "fail", None), ("PRD002", "high", "fail", None), ("PRD003", "high", "fail", None)},
    ),
    ("aiokafka-idempotent-acks-forced-all", client("aiokafka", roles=PRODUCER, enable_idempotence="true"), set()),
    (  # ValueError "acks=1 not supported if enable_idempotence=True"
        "aiokafka-idempotent-acks-1-refused",
        client("aiokafka", roles=PRODUCER, acks="1", enable_idempotence="true"),
        {("PRD001", "medium", "fail", 1)},
    ),
    # --- consumer
    (
        "java-consumer-defaults",
        client(roles=CONSUMER),
        {("CON001", "high", "fail", None), ("CON002", "medium", "fail", None)},
    ),
    ("java-consumer-safe", client(roles=CONSUMER, **SAFE_CONSUMER), set()),
    (
        "java-consumer-auto-commit-true",
        client(roles=CONSUMER, enable_auto_commit=" True ", auto_offset_reset="earliest"),
        {("CON001", "high", "fail", 1)},
    ),
    (
        "librdkafka-store-false-is-commit-after-processing",
        client("librdkafka", roles=CONSUMER, enable_auto_offset_store="false", auto_offset_reset="smallest"),
        set(),
    ),
    (
        "librdkafka-largest-alias",
        client("librdkafka", roles=CONSUMER, enable_auto_commit="false", auto_offset_reset="largest"),
        {("CON002", "medium", "fail", 2)},
    ),
    (
        "librdkafka-store-unknown",
        client("librdkafka", roles=CONSUMER, enable_auto_offset_store=None, auto_offset_reset="earliest"),
        {("CON001", "high", "unknown", None)},
    ),
    ("spring-forces-auto-commit-off", client("spring", roles=CONSUMER, auto_offset_reset="earliest"), set()),
    (
        "spring-ack-mode-with-auto-commit",
        client(
            "spring",
            roles=CONSUMER,
            enable_auto_commit="true",
            ack_mode="manual_immediate",
            auto_offset_reset="earliest",
        ),
        {("CON001", "high", "fail", 1), ("CON003", "medium", "fail", 1)},
    ),
    ("spring-ack-mode-alone", client("spring", roles=CONSUMER, ack_mode="record", auto_offset_reset="earliest"), set()),
    (  # a MANUAL ack mode: the listener code commits, and a configuration file does not say where
        "spring-manual-ack-mode-without-the-listener",
        client("spring", roles=CONSUMER, ack_mode="manual", auto_offset_reset="earliest"),
        {("CON001", "high", "unknown", None)},
    ),
    (
        "spring-listener-acknowledges-after-processing",
        client(
            "spring", roles=CONSUMER, ack_mode="manual", acknowledged="after-processing", auto_offset_reset="earliest"
        ),
        set(),
    ),
    (
        "spring-listener-acknowledges-before-processing",
        client(
            "spring", roles=CONSUMER, ack_mode="manual", acknowledged="before-processing", auto_offset_reset="earliest"
        ),
        {("CON001", "high", "fail", None)},
    ),
]


def _cases() -> list[RuleCase]:
    cases = []
    for name, config, expected in CLIENT_CONFIGS:
        estate = Estate(clients=(config,))
        for kind, rule_ids in CLIENT_RULES.items():
            if kind.value not in config.roles:  # no subject of this kind: a pass would judge nothing
                continue
            for rule_id in rule_ids:
                found = {(severity, status) for rid, severity, status, _line in expected if rid == rule_id}
                if not found:
                    cases.append(RuleCase(rule_id, name, estate, "pass", kind=kind))
                for severity, status in found:
                    cases.append(RuleCase(rule_id, name, estate, status, severity, kind=kind))
    return cases


CASES = _cases()
