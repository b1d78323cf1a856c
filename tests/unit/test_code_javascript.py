"""JavaScript/TypeScript clients in code (kafkajs, node-rdkafka): PRD/CON pass, fail, unknown."""

from __future__ import annotations

from tests.code_cases import cases, constructions, gap_lines, judged, read_fixture


def test_kafkajs() -> None:
    assert cases("javascript/orders.js") == {
        (6, "PRD001", "fail", 12),  # producer.send({ acks: 1 })
        (6, "PRD003", "fail", 6),  # kafkajs is not idempotent by default
        (8, "PRD002", "fail", 8),  # retry: { retries: 0 }
        (8, "PRD003", "fail", 8),
        (24, "CON002", "unknown", 25),  # fromBeginning from process.env
        (31, "CON002", "fail", 31),  # subscribe without fromBeginning: latest
    }
    built = constructions("javascript/orders.js")
    assert built[7] == ("producer", "kafkajs")  # idempotent, one request in flight: passes
    assert built[15] == ("consumer", "kafkajs")  # fromBeginning: true, commits resolved offsets: passes


def test_node_rdkafka_in_typescript() -> None:
    assert cases("javascript/stream.ts") == {
        (10, "PRD001", "fail", 10),  # request.required.acks 1 beside a spread of shared settings
        (10, "PRD003", "fail", 10),
    }
    assert constructions("javascript/stream.ts")[12] == ("consumer", "librdkafka")


def test_kafkajs_in_flight_and_the_environment() -> None:
    assert cases("javascript/payments.js") == {
        (8, "PRD004", "fail", 8),  # idempotent with maxInFlightRequests: IN_FLIGHT (a const 10)
        (9, "PRD001", "unknown", 16),  # send({ acks: Number(process.env.KAFKA_ACKS) })
        (9, "PRD002", "unknown", 12),
        (9, "PRD003", "unknown", 10),
        (9, "PRD004", "unknown", 11),
        # line 20: autoCommit from the environment still commits only what eachMessage resolved: passes
        (29, "PRD001", "unknown", 29),  # kafka.producer(options): options from the caller
        (29, "PRD002", "unknown", 29),
        (29, "PRD003", "unknown", 29),
        (29, "PRD004", "unknown", 29),
        (30, "CON001", "unknown", 30),  # { ...options, groupId }: what options holds is not seen
        (30, "CON002", "unknown", 30),
    }
    assert constructions("javascript/payments.js")[20] == ("consumer", "kafkajs")


def test_node_rdkafka_producers_and_consumers() -> None:
    assert cases("javascript/rdkafka_clients.js") == {
        (11, "PRD004", "fail", 14),  # max.in.flight 10 with enable.idempotence
        (11, "PRD005", "fail", 16),  # message.timeout.ms 5000 < linger + request.timeout.ms 30000
        (19, "PRD002", "fail", 19),  # retries: 0 (and so no idempotence)
        (19, "PRD003", "fail", 19),
        (22, "PRD001", "unknown", 22),  # new Kafka.Producer(config): config from the caller
        (22, "PRD002", "unknown", 22),
        (22, "PRD003", "unknown", 22),
        (22, "PRD004", "unknown", 22),
        (22, "PRD005", "unknown", 22),
        (25, "CON001", "fail", 25),  # librdkafka's defaults: auto-commit of what poll returned, latest
        (25, "CON002", "fail", 25),
        (27, "CON001", "unknown", 28),  # process.env
        (27, "CON002", "unknown", 29),
    }
    assert constructions("javascript/rdkafka_clients.js")[5] == ("producer", "librdkafka")  # idempotent: passes
    _, findings = judged("javascript/rdkafka_clients.js")
    con002 = next(f for f in findings if f.rule_id == "CON002" and f.status.value == "fail")
    assert con002.actual_source == "default of librdkafka >=1.5.2 (assumed)"  # no lockfile


def test_kafkajs_each_batch_resolving_before_processing() -> None:
    # line 7: store.save, then resolveOffset (await heartbeat() after it is not processing): passes
    assert cases("javascript/batches.js") == {(8, "CON001", "fail", 8)}  # resolve (renamed) before store.audit
    found, findings = judged("javascript/batches.js")
    resolved = {c.line: c.settings["enable.auto.offset.store"] for c in found.clients}
    assert (resolved[7].value, resolved[7].line) == ("false", 17)
    assert (resolved[8].value, resolved[8].line) == ("true", 28)
    assert "resolveOffset before processing" in (findings[0].message or "")


def test_clients_built_through_factories_and_unseen_configurations() -> None:
    assert cases("javascript/factories.js") == {
        (12, "PRD002", "unknown", 8),  # the Kafka client's retry comes from ...loadKafkaConfig()
        (13, "PRD002", "fail", 10),  # retry: { retries: 0 } of new Kafka, inherited
        # line 14: its own retry: { retries: 8 } wins over the Kafka client's: passes
        (19, "PRD001", "unknown", 19),  # new Rdkafka.Producer(loadKafkaConfig())
        (19, "PRD002", "unknown", 19),
        (19, "PRD003", "unknown", 19),
        (19, "PRD004", "unknown", 19),
        (19, "PRD005", "unknown", 19),
        (22, "PRD002", "unknown", 22),  # client.producer(...): the Kafka client is the caller's
    }
    # new Kafka with a spread / a call, a factory kept as a value or passed to map, a subclass
    assert gap_lines("javascript/factories.js") == {8, 9, 15, 16, 18}
    reasons = {int(g.resource.rsplit(":", 1)[1]): g.reason for g in read_fixture("javascript/factories.js").gaps}
    assert "retry every producer it builds inherits is not seen" in reasons[9]
    assert reasons[15].startswith("client construction not understood: fromSettings.producer is used without")
    clients = {c.line: c.settings for c in read_fixture("javascript/factories.js").clients}
    assert (clients[13]["retries"].value, clients[13]["retries"].line) == ("0", 10)
    assert (clients[14]["retries"].value, clients[14]["retries"].line) == ("8", 14)


def test_renamed_kafka_class_and_a_bound_factory_in_typescript() -> None:
    # import { Kafka as KafkaClient }: its retry { retries: 0 } reaches the producer built from it
    assert cases("javascript/renamed.ts") == {(8, "PRD002", "fail", 7)}
    # this.kafka.producer.bind(this.kafka) is a factory kept as a value; instanceof is not a construction
    assert gap_lines("javascript/renamed.ts") == {9}
