"""Custom Kafka Streams exception handlers read from Java source: what their handle methods return
decides STR001/STR002/STR003 for the applications that name them. The sources follow the handlers
of Kafka Streams' developer guide (IgnoreRecordTooLargeHandler, a dead letter queue handler) on the
Kafka 2.x-4.0 API (ProductionExceptionHandlerResponse) and the 4.1+ one (Response, KIP-1034)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.sources.code.handlers import read_handlers

IGNORE_TOO_LARGE = """\
package com.example.streams;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

public class IgnoreRecordTooLargeHandler implements ProductionExceptionHandler {
    public void configure(Map<String, Object> config) {}

    public ProductionExceptionHandlerResponse handle(final ErrorHandlerContext context,
                                                     final ProducerRecord<byte[], byte[]> record,
                                                     final Exception exception) {
        if (exception instanceof RecordTooLargeException) {
            return ProductionExceptionHandlerResponse.CONTINUE;
        } else {
            return ProductionExceptionHandlerResponse.FAIL;
        }
    }
}
"""
RESPONSES = """\
package com.example.streams;

import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;

public final class Handlers {
    public static class ToDeadLetters implements ProductionExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception e) {
            return Response.resume(List.of(new ProducerRecord<>("orders-dlq", record.key(), record.value())));
        }

        @Override
        public Response handleSerializationError(ErrorHandlerContext c, ProducerRecord record, Exception e,
                                                 SerializationExceptionOrigin origin) {
            return Response.fail();
        }
    }

    public static class Drop implements DeserializationExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
            return Response.resume();
        }
    }

    public static class Decided implements ProductionExceptionHandler {
        private ProductionExceptionHandlerResponse response;

        public ProductionExceptionHandlerResponse handle(ProducerRecord<byte[], byte[]> record, Exception e) {
            return response;
        }
    }

    public static class NotAHandler {
        public String handle() {
            return "CONTINUE";
        }
    }
}
"""


def test_a_handler_that_continues_on_one_path_drops_records() -> None:
    (handler,) = read_handlers(IGNORE_TOO_LARGE, "IgnoreRecordTooLargeHandler.java")
    assert handler.class_name == "com.example.streams.IgnoreRecordTooLargeHandler"
    assert (handler.kind, handler.drops, handler.line) == ("production", True, 15)
    assert handler.snippet == "return ProductionExceptionHandlerResponse.CONTINUE;"


def test_responses_of_the_kafka_4_api() -> None:
    found = {h.class_name.rsplit(".", 1)[-1]: h for h in read_handlers(RESPONSES, "Handlers.java")}
    assert set(found) == {"ToDeadLetters", "Drop", "Decided"}
    assert found["ToDeadLetters"].class_name == "com.example.streams.Handlers.ToDeadLetters"
    assert (found["ToDeadLetters"].kind, found["ToDeadLetters"].drops) == ("production", False)  # to a DLQ, or fail
    assert (found["Drop"].kind, found["Drop"].drops) == ("deserialization", True)
    assert found["Decided"].drops is None  # returns a field: not judged


@pytest.mark.parametrize(
    ("handler", "status"),
    [
        ("com.example.streams.IgnoreRecordTooLargeHandler", "fail"),
        ("com.example.streams.Handlers$ToDeadLetters", "pass"),
        ("com.example.streams.Handlers$Decided", "unknown"),
        ("com.example.streams.NotInTheAudit", "unknown"),
        ("org.apache.kafka.streams.errors.AlwaysContinueProductionExceptionHandler", "fail"),
        ("org.apache.kafka.streams.errors.DefaultProductionExceptionHandler", "pass"),
        ("org.apache.kafka.streams.errors.LogAndContinueExceptionHandler", "unknown"),  # a deserialization handler
        ("com.example.streams.Handlers$Drop", "unknown"),  # a custom deserialization handler
    ],
)
def test_str002_judges_the_handler_the_application_names(tmp_path: Path, handler: str, status: str) -> None:
    from auditor.audit import AuditOptions, FileSources, Sources, audit_sources

    (tmp_path / "streams.properties").write_text(
        f"application.id=orders-enricher\nbootstrap.servers=kafka:9092\nproduction.exception.handler={handler}\n"
    )
    source = tmp_path / "src" / "main" / "java" / "com" / "example" / "streams"
    source.mkdir(parents=True)
    (source / "IgnoreRecordTooLargeHandler.java").write_text(IGNORE_TOO_LARGE)
    (source / "Handlers.java").write_text(RESPONSES)
    result = audit_sources(Sources(files=FileSources(paths=(str(tmp_path),))), AuditOptions())
    verdicts = [f for f in result.findings if f.rule_id == "STR002"]
    passed = [p for p in result.passes if p.rule_id == "STR002"]
    got = verdicts[0].status.value if verdicts else ("pass" if passed else "none")
    assert got == status
    if status == "fail" and "IgnoreRecordTooLarge" in handler:
        assert "IgnoreRecordTooLargeHandler.java:15" in verdicts[0].message
        assert "ProductionExceptionHandlerResponse.CONTINUE" in verdicts[0].message
    if handler.endswith(("LogAndContinueExceptionHandler", "$Drop")):  # the unknown says why
        assert "deserialization exception handler, not a ProductionExceptionHandler" in verdicts[0].message


@pytest.mark.parametrize(
    ("key", "handler", "kind"),
    [
        (
            "production.exception.handler",
            "org.apache.kafka.streams.errors.LogAndContinueExceptionHandler",
            "production",
        ),
        ("default.production.exception.handler", "com.example.streams.Handlers$Drop", "production"),
        (
            "deserialization.exception.handler",
            "org.apache.kafka.streams.errors.DefaultProductionExceptionHandler",
            "deserialization",
        ),
        (
            "processing.exception.handler",
            "org.apache.kafka.streams.errors.LogAndContinueExceptionHandler",
            "processing",
        ),
    ],
)
def test_a_handler_of_another_kind_is_unknown_and_says_why(key: str, handler: str, kind: str) -> None:
    """Kafka Streams creates each handler as its own interface (a deserialization handler named as the
    production handler fails `is not an instance of ProductionExceptionHandler`): it never skips or
    stops records in that role, so the fact is neither the handler's own verdict nor a pass."""
    from auditor.facts.streams import StreamsSeen
    from auditor.model import ConfigSource, ConfigValue, Estate, StreamsApp

    settings = {key: ConfigValue(key, handler, ConfigSource.FILE, path="streams.properties", line=3)}
    app = StreamsApp("orders-enricher", "streams.properties", "properties", settings)
    estate = Estate(streams_apps=(app,), streams_handlers=read_handlers(RESPONSES, "Handlers.java"))
    fact = StreamsSeen(app, estate).skips(kind)
    assert fact.value is None
    assert fact.origin is not None and fact.origin.detail is not None
    simple = handler.rsplit(".", 1)[-1].rsplit("$", 1)[-1]
    assert f"{simple} is a " in fact.origin.detail and "exception handler, not a" in fact.origin.detail
