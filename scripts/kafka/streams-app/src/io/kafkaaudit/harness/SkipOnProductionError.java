package io.kafkaaudit.harness;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

/**
 * A production exception handler that logs and goes on: the record Streams could not write (too
 * large for its topic, say) is dropped while the input offset is committed. The shape of the
 * "IgnoreRecordTooLargeHandler" in Kafka Streams' developer guide (production.exception.handler),
 * on the Kafka 4.x API (handleError returning a Response).
 */
public class SkipOnProductionError implements ProductionExceptionHandler {

    @Override
    public Response handleError(final ErrorHandlerContext context,
                                final ProducerRecord<byte[], byte[]> record,
                                final Exception exception) {
        System.err.println("skipping a record to " + record.topic() + ": " + exception);
        return Response.resume();
    }

    @Override
    public void configure(final Map<String, ?> configs) {
    }
}
