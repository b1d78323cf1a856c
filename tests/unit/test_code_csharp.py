"""C# clients in code (Confluent.Kafka): PRD/CON pass, fail, unknown."""

from __future__ import annotations

from tests.code_cases import cases, constructions, gap_lines, read_fixture


def test_confluent_kafka_dotnet() -> None:
    assert cases("csharp/OrderService.cs") == {
        (14, "PRD001", "fail", 12),  # Acks = Acks.Leader
        (14, "PRD002", "fail", 13),  # config.MessageSendMaxRetries = NoRetries (a const)
        (14, "PRD003", "fail", 14),  # librdkafka: idempotence off by default
        (39, "CON001", "fail", 39),  # a config registered for injection: librdkafka's auto-commit
        (39, "CON002", "unknown", 42),
        (47, "PRD001", "unknown", 47),  # the config is a parameter
        (47, "PRD002", "unknown", 47),
        (47, "PRD003", "unknown", 47),
        (47, "PRD004", "unknown", 47),
        (47, "PRD005", "unknown", 47),
    }
    built = constructions("csharp/OrderService.cs")
    assert built[24] == ("producer", "librdkafka")  # EnableIdempotence: passes
    assert built[36] == ("consumer", "librdkafka")  # EnableAutoOffsetStore false, earliest: passes


def test_confluent_kafka_dotnet_tuned_and_configured() -> None:
    assert cases("csharp/PaymentService.cs") == {
        (24, "PRD004", "fail", 22),  # MaxInFlight = 10 with EnableIdempotence
        (37, "PRD005", "fail", 35),  # MessageTimeoutMs 5000 < LingerMs 100 + RequestTimeoutMs 30000
        (49, "CON002", "fail", 47),  # AutoOffsetReset.Latest
        (61, "CON001", "unknown", 58),  # EnableAutoCommit from IConfiguration
    }
    assert constructions("csharp/PaymentService.cs")[61] == ("consumer", "librdkafka")


def test_bound_injected_and_unfollowed_builders() -> None:
    # 30: a target-typed builder, followed (C# 9 `new(injected)`): its configuration is a parameter
    unknown = {(at, rule, "unknown", at) for at in (26, 27, 28, 30) for rule in PRODUCER_RULES}
    assert cases("csharp/ClientHandles.cs") == unknown | {
        (29, "CON001", "unknown", 29),  # options.Value: IOptions<ConsumerConfig> bound elsewhere
        (29, "CON002", "unknown", 29),
    }
    reasons = {c.line: c.opaque or "" for c in read_fixture("csharp/ClientHandles.cs").clients}
    assert reasons[26].startswith('config.GetSection("Kafka:ProducerSettings").Bind(conf) (line 25) may set it')
    assert "this.injected" in reasons[27] and "RefundsConfig(config)" in reasons[28]
    assert reasons[30] == "the configuration injected is not built in this file"
    # a subclass of ProducerBuilder, a creation of the subclass
    assert gap_lines("csharp/ClientHandles.cs") == {11, 31}


def test_target_typed_new() -> None:
    """C# 9 `ProducerConfig config = new() { ... }`: read as the ProducerConfig it declares, set
    again afterwards like any local; so are a static readonly field, an expression-bodied method's
    return and a target-typed builder."""
    assert cases("csharp/StockPublisher.cs") == {
        (39, "PRD001", "fail", 36),  # ProducerConfig producerConfig = new() { ..., Acks = Acks.Leader }
        (39, "PRD002", "fail", 38),  # producerConfig.MessageSendMaxRetries = 0 (a set after the new())
        (39, "PRD003", "fail", 39),  # librdkafka: idempotence off by default
        (49, "PRD001", "fail", 49),  # ProducerConfig Fallback() => new() { Acks = Acks.None }
        (49, "PRD003", "fail", 49),
    }
    built = constructions("csharp/StockPublisher.cs")
    assert built[45] == ("producer", "librdkafka")  # ProducerBuilder<Null, string> builder = new(audit): passes
    assert built[51] == ("consumer", "librdkafka")  # the static readonly ConsumerConfig = new(): passes
    assert not gap_lines("csharp/StockPublisher.cs")
    [fallback] = [c for c in read_fixture("csharp/StockPublisher.cs").clients if c.line == 49]
    assert fallback.settings["acks"].value == "0"


PRODUCER_RULES = ("PRD001", "PRD002", "PRD003", "PRD004", "PRD005")
