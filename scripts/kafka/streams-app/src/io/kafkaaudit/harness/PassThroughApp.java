package io.kafkaaudit.harness;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The integration tests' own Kafka Streams application: copies input.topic to output.topic as it is,
 * with the properties file given as its only argument (production.exception.handler among them).
 * Exits 1 when the application stops in ERROR (a handler that fails), 0 when stopped from outside.
 * Written after the shape of Kafka's own examples (org.apache.kafka.streams.examples.pipe.PipeDemo).
 */
public final class PassThroughApp {

    private PassThroughApp() {
    }

    public static void main(final String[] args) throws IOException, InterruptedException {
        final Properties props = new Properties();
        try (InputStream in = new FileInputStream(args[0])) {
            props.load(in);
        }
        props.putIfAbsent(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.putIfAbsent(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        final StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream(props.getProperty("input.topic")).to(props.getProperty("output.topic"));

        final KafkaStreams streams = new KafkaStreams(builder.build(), props);
        final CountDownLatch stopped = new CountDownLatch(1);
        final boolean[] failed = {false};
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR) {
                failed[0] = true;
                stopped.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            stopped.countDown();
        }));
        streams.start();
        stopped.await();
        streams.close();
        System.exit(failed[0] ? 1 : 0);
    }
}
