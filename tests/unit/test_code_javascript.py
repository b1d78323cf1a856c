"""JavaScript/TypeScript clients in code (kafkajs, node-rdkafka): PRD/CON pass, fail, unknown."""

from __future__ import annotations

from tests.code_cases import cases, constructions


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
