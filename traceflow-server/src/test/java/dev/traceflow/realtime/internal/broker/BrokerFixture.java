package dev.traceflow.realtime.internal.broker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.JsonNode;

import java.time.Duration;

/**
 * A broker on {@link ManualTime} and a {@link ManualExecutor}, with small limits so tests reach
 * them in a few messages. Topics whose name starts with {@code cursor:} are volatile.
 */
final class BrokerFixture {

    static final BrokerSettings SETTINGS = settings(10, 5);

    final ManualTime time = new ManualTime();
    final ManualExecutor executor;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final Broker broker;
    private int ips;

    BrokerFixture() {
        this(SETTINGS);
    }

    BrokerFixture(BrokerSettings settings) {
        this(settings, new ManualExecutor());
    }

    /** @param executor a {@link ManualExecutor} that does more (a test's hook into when writers start) */
    BrokerFixture(BrokerSettings settings, ManualExecutor executor) {
        this(settings, executor, ConnectionEvents.NONE);
    }

    /** @param events told what happens to connections (a test's recording) */
    BrokerFixture(BrokerSettings settings, ManualExecutor executor, ConnectionEvents events) {
        this.executor = executor;
        broker = new Broker(settings, time, time, time, executor, meters, (app, topic) -> topic.startsWith("cursor:"), events);
        broker.start();
    }

    /**
     * @param sendQueueCapacity live messages a connection's queue holds
     * @param historySize       events kept per topic
     */
    static BrokerSettings settings(int sendQueueCapacity, int historySize) {
        return new BrokerSettings(4096, sendQueueCapacity, 50, 100, 1000, 5, 3, 5, historySize, Duration.ofMinutes(1),
                1 << 20, Duration.ofSeconds(5), Duration.ofSeconds(20), 3, Duration.ofMinutes(2), 100, 10,
                Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    /** A connection to the app from an IP of its own, allowed everything. */
    Client connect(String appId) {
        return connect(appId, null, "192.0.2." + (++ips), new FakeAuth());
    }

    Client connect(String appId, String userKey, String ip, FakeAuth auth) {
        RecordingChannel channel = new RecordingChannel();
        try {
            return new Client(broker.open(appId, auth, userKey, ip, channel), channel, auth);
        } catch (ConnectionRefused e) {
            throw new AssertionError(e);
        }
    }

    /** Lets every connection's writer run: clients read everything sent so far. */
    void flush() {
        executor.runAll();
    }

    double counter(String name, String tagKey, String tagValue) {
        var search = meters.find(name);
        if (tagKey != null) {
            search = search.tag(tagKey, tagValue);
        }
        var counter = search.counter();
        return counter == null ? 0 : counter.count();
    }

    /** One test client: its connection, what it received, its access. */
    record Client(Connection connection, RecordingChannel channel, FakeAuth auth) {

        void send(String json) {
            connection.receive(json);
        }

        void subscribe(String topic) {
            send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        }

        void resume(String topic, long lastSeq, String epoch) {
            send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"lastSeq\":" + lastSeq + ",\"epoch\":\"" + epoch + "\"}");
        }

        void publish(String topic, String id, String payloadJson) {
            send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"id\":\"" + id + "\",\"payload\":" + payloadJson + "}");
        }

        void ack(String topic, long seq) {
            send("{\"type\":\"ack\",\"topic\":\"" + topic + "\",\"seq\":" + seq + "}");
        }

        JsonNode subscribed(String topic) {
            return channel.ofType("subscribed").stream().filter(m -> m.path("topic").asString().equals(topic))
                    .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no subscribed reply for " + topic + ": "
                            + channel.received()));
        }

        JsonNode lastError() {
            return channel.ofType("error").stream().reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no error: " + channel.received()));
        }
    }
}
