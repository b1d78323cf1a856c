"""Go clients in code (sarama, franz-go, segmentio/kafka-go, confluent-kafka-go): PRD/CON pass, fail, unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.model import Estate
from auditor.sources.files import read_paths
from tests.code_cases import FIXTURES, cases, constructions, gap_lines, judged


def test_sarama() -> None:
    assert cases("go/sarama_service.go") == {
        (16, "PRD001", "fail", 14),  # sarama.WaitForLocal
        (16, "PRD002", "fail", 15),  # Producer.Retry.Max = 0
        (16, "PRD003", "fail", 16),  # sarama is not idempotent by default
        (37, "PRD001", "fail", 37),  # sarama.NewConfig() inline: sarama's defaults (WaitForLocal)
        (37, "PRD003", "fail", 37),
        (44, "CON002", "unknown", 42),  # Offsets.Initial from a parameter
        (49, "CON002", "fail", 49),  # OffsetNewest by default
        (53, "PRD001", "unknown", 53),  # *sarama.Config from a parameter
        (53, "PRD002", "unknown", 53),
        (53, "PRD003", "unknown", 53),
        (53, "PRD004", "unknown", 53),
        (63, "CON001", "unknown", 63),  # NewConsumerGroup(..., config): a parameter
        (63, "CON002", "unknown", 63),
        (71, "PRD004", "fail", 71),  # Idempotent with Net.MaxOpenRequests left at 5: Config.Validate refuses it
    }
    built = constructions("go/sarama_service.go")
    assert built[29] == ("producer", "sarama")  # WaitForAll + Idempotent + MaxOpenRequests 1: passes
    assert built[59] == ("consumer", "sarama")  # OffsetOldest: passes


def test_default_provenance_is_sarama() -> None:
    _, findings = judged("go/sarama_service.go")
    prd001 = next(f for f in findings if f.rule_id == "PRD001" and f.location and f.location.line == 37)
    assert prd001.actual == "1"
    # the version go.mod pins, and where
    assert prd001.actual_source == "default of sarama 1.43.0 (tests/fixtures/code/go/go.mod:6)"


def test_kafka_go() -> None:
    assert cases("go/kafkago_service.go") == {
        (12, "PRD001", "fail", 12),  # Writer{} waits for nothing: acks=0
        (12, "PRD003", "fail", 12),
        (21, "PRD003", "fail", 21),  # kafka-go has no idempotent producer
        (25, "CON001", "fail", 32),  # ReadMessage commits before processing
        (25, "CON002", "fail", 29),  # StartOffset: kafka.LastOffset
    }
    _, findings = judged("go/kafkago_service.go")
    assert next(f for f in findings if f.rule_id == "PRD001").severity.value == "critical"


def test_franz_go() -> None:
    assert cases("go/franz_service.go") == {
        (13, "PRD001", "fail", 10),  # kgo.RequiredAcks(kgo.LeaderAck())
        (13, "PRD003", "fail", 12),  # appended kgo.DisableIdempotentWrite()
        (17, "CON002", "fail", 21),  # ConsumeResetOffset(NewOffset().AtEnd())
    }
    assert constructions("go/franz_service.go") == {13: ("producer", "franz-go"), 17: ("consumer", "franz-go")}


def test_confluent_kafka_go() -> None:
    assert cases("go/confluent_service.go") == {(7, "PRD001", "fail", 7), (7, "PRD003", "fail", 7)}
    assert constructions("go/confluent_service.go")[17] == ("consumer", "librdkafka")  # SetKey auto-commit off


def test_franz_go_option_slices_and_commits() -> None:
    assert cases("go/franz_clients.go") == {
        (19, "PRD002", "fail", 19),  # kgo.RecordRetries(0)
        (24, "PRD001", "unknown", 24),  # append(opts, ...) onto options from the caller
        (24, "PRD002", "unknown", 24),
        (24, "PRD003", "unknown", 24),
        (24, "PRD004", "unknown", 24),
        (24, "PRD005", "unknown", 24),  # a RecordDeliveryTimeout may be among the caller's options
        (28, "CON001", "fail", 28),  # GreedyAutoCommit: commits what poll returned, before processing
        (37, "CON002", "unknown", 42),  # ConsumeResetOffset(reset): a parameter
        (48, "CON001", "unknown", 48),
        (48, "CON002", "unknown", 48),
        (52, "PRD004", "fail", 52),  # MaxProduceRequestsInflightPerBroker(10) while idempotent: NewClient fails
        (56, "PRD003", "fail", 58),  # DisableIdempotentWrite: 10 in flight may reorder, but no PRD004
        (73, "PRD001", "fail", 73),  # LeaderAck() while idempotent by default: NewClient fails
    }
    built = constructions("go/franz_clients.go")
    assert built[12] == ("producer", "franz-go")  # AllISRAcks, idempotent by default: passes
    assert built[37] == ("consumer", "franz-go")  # AutoCommitMarks: commits what was marked: CON001 passes
    # var buildClient = kgo.NewClient: a constructor as a function value is a gap at its line, not skipped
    assert gap_lines("go/franz_clients.go") == {65}
    found, findings = judged("go/franz_clients.go")
    in_flight = next(c for c in found.clients if c.line == 52).settings["max.in.flight.requests.per.connection"]
    assert (in_flight.value, in_flight.line) == ("10", 52)  # the option as written, not franz-go's own limit
    refused = next(f for f in findings if f.rule_id == "PRD004" and f.status.value == "fail")
    assert refused.severity.value == "medium"
    assert "will not start" in refused.message and "more than 1 in flight is refused" in refused.message
    leader = next(f for f in findings if f.rule_id == "PRD001" and f.status.value == "fail")
    assert leader.severity.value == "medium" and "will not start: acks=1" in leader.message
    assert "acks other than all is refused while idempotent" in leader.message


def test_franz_go_delivery_timeout() -> None:
    assert cases("go/franz_timeouts.go") == {
        (23, "PRD005", "fail", 22),  # 2s < ProducerLinger 50ms + ProduceRequestTimeout 30s
        (35, "PRD005", "unknown", 35),  # *flagTimeout: a command-line flag
    }
    found, findings = judged("go/franz_timeouts.go")
    impatient, patient, _ = sorted(found.clients, key=lambda c: c.line or 0)
    assert {k: (v.value, v.line) for k, v in impatient.settings.items()} == {
        "linger.ms": ("50", 19),
        "request.timeout.ms": ("30000", 20),
        "delivery.timeout.ms": ("2000", 22),
    }
    # a package constant (2 * time.Minute) and time.Duration(20) * time.Millisecond: PRD005 passes
    assert {k: v.value for k, v in patient.settings.items()} == {"linger.ms": "20", "delivery.timeout.ms": "120000"}
    fail = next(f for f in findings if f.status.value == "fail")
    assert fail.actual == "2000 (linger.ms 50 + request.timeout.ms 30000)"
    assert "never in flight" in (fail.actual_source or "")  # franz-go expires only where it is safe
    # without RecordDeliveryTimeout franz-go never gives up on a record: PRD005 passes (franz_service.go)
    assert not [c for c in cases("go/franz_service.go") if c[1] == "PRD005"]


def test_kafka_go_writers_and_readers() -> None:
    assert cases("go/kafkago_clients.go") == {
        (12, "PRD002", "fail", 16),  # MaxAttempts: 1 is no retry
        (12, "PRD003", "fail", 12),  # kafka-go has no idempotent producer
        (21, "PRD001", "unknown", 21),  # RequiredAcks: acks, MaxAttempts: attempts, parameters
        (21, "PRD002", "unknown", 21),
        (21, "PRD003", "fail", 21),
        (25, "CON002", "unknown", 29),  # StartOffset: start, a parameter
        (44, "CON001", "unknown", 44),  # the reader is returned: who reads it, and how, is elsewhere
        (44, "CON002", "unknown", 44),
        (78, "CON002", "fail", 79),  # no GroupID: r.SetOffset(kafka.LastOffset) starts at the end
        (90, "CON002", "unknown", 91),  # no GroupID: r.SetOffset(42), the application's own position
    }
    # line 25: FetchMessage then CommitMessages after processing: CON001 passes
    assert constructions("go/kafkago_clients.go")[25] == ("consumer", "kafka-go")
    assert constructions("go/kafkago_clients.go")[48] == ("consumer", "kafka-go")  # FirstOffset by default: passes


def test_kafka_go_reader_without_group_id_commits_nothing() -> None:
    """reader.go: ReadMessage commits only when useConsumerGroup() (GroupID != ""); a Reader without a
    GroupID starts at FirstOffset and StartOffset is ignored: CON001 and CON002 pass (line 62)."""
    found, findings = judged("go/kafkago_clients.go")
    partition = next(c for c in found.clients if c.line == 62)
    commit = partition.settings["enable.auto.commit"]
    assert commit.value == "false" and "commits nothing" in (commit.detail or "")
    start = partition.settings["auto.offset.reset"]
    assert (start.value, start.line) == ("earliest", 62)  # StartOffset: kafka.LastOffset (line 66) ignored
    assert not [f for f in findings if f.location and f.location.line in (62, 66, 70)]
    assert not [f for f in findings if f.rule_id == "CON001" and f.location and (f.location.line or 0) > 57]
    # with a GroupID, ReadMessage commits as it returns: CON001 fails (kafkago_service.go:32)
    assert (25, "CON001", "fail", 32) in cases("go/kafkago_service.go")


def test_confluent_kafka_go_config_maps() -> None:
    assert cases("go/confluent_clients.go") == {
        (27, "PRD004", "fail", 23),
        (27, "PRD005", "fail", 25),  # message.timeout.ms 5000 < linger.ms + request.timeout.ms 30000
        (31, "PRD002", "fail", 31),
        (31, "PRD003", "fail", 31),  # retries 0 and no enable.idempotence
        (35, "PRD001", "unknown", 35),  # NewProducer(config): a parameter
        (35, "PRD002", "unknown", 35),
        (35, "PRD003", "unknown", 35),
        (35, "PRD004", "unknown", 35),
        (35, "PRD005", "unknown", 35),
        (39, "CON001", "fail", 39),  # librdkafka's defaults
        (39, "CON002", "fail", 39),
        (46, "CON001", "unknown", 45),  # SetKey(..., os.Getenv(...))
        (46, "CON002", "unknown", 44),
    }
    assert constructions("go/confluent_clients.go")[12] == ("producer", "librdkafka")  # idempotent: passes
    _, findings = judged("go/confluent_clients.go")
    con002 = next(f for f in findings if f.rule_id == "CON002" and f.status.value == "fail")
    assert con002.actual_source == "default of librdkafka 2.3.0 (tests/fixtures/code/go/go.mod:7)"


def test_sarama_consume_claim_marking_before_processing() -> None:
    assert cases("go/sarama_group.go") == {(32, "CON001", "fail", 32)}  # OffsetOldest: CON002 passes
    found, findings = judged("go/sarama_group.go")
    marked = found.clients[0].settings["enable.auto.offset.store"]
    assert (marked.value, marked.line) == ("true", 21)  # session.MarkMessage, then Save
    assert "MarkMessage before processing" in (findings[0].message or "")


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ('c.store.Save(message.Value)\n\t\tsession.MarkMessage(message, "")\n', set()),  # marked after: passes
        ('defer session.MarkMessage(message, "")\n\t\tc.store.Save(message.Value)\n', {"fail"}),  # deferred
        ('go func() { c.store.Save(message.Value); session.MarkMessage(message, "") }()\n', {"unknown"}),
        ("c.store.Save(message.Value)\n", set()),  # never marked: redelivered, never lost
    ],
)
def test_where_consume_claim_marks(tmp_path: Path, claim: str, expected: set[str]) -> None:
    source = (FIXTURES / "go" / "sarama_group.go").read_text()
    loop = source[source.index("\t\tsession.MarkMessage") : source.index("\t}\n\treturn nil")]
    (tmp_path / "group.go").write_text(source.replace(loop, "\t\t" + claim))
    found = read_paths([str(tmp_path)])
    statuses = {f.status.value for f in judge(Estate(clients=found.clients), load_rules()) if f.rule_id == "CON001"}
    assert statuses == expected
