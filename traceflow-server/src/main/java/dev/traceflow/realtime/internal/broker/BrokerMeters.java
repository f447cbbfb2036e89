package dev.traceflow.realtime.internal.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/** Every meter of the broker, registered in one place so their names and descriptions stay together. */
final class BrokerMeters {

    /** Why a message or a connection was dropped (the {@code reason} tag of {@code traceflow.realtime.drops}). */
    enum Drop {
        /** a connection cut off because it fell behind on a reliable topic */
        SLOW_CONSUMER,
        /** a volatile event dropped from a full send queue */
        VOLATILE_OVERFLOW,
        /** a reliable event given up after its last send went unacknowledged */
        UNACKED,
        /** a client message over the per-connection rate, or a publish over the per-topic rate */
        RATE_LIMITED,
        MESSAGE_TOO_LARGE,
        BAD_MESSAGE,
        /** messages still queued when their connection closed */
        CLOSED
    }

    private final MeterRegistry registry;
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<Drop, Counter> drops = new ConcurrentHashMap<>();
    final Counter published;
    final Counter duplicates;
    final Counter sent;
    final Counter redelivered;
    final Counter opened;

    BrokerMeters(MeterRegistry registry, Broker broker) {
        this.registry = registry;
        gauge("traceflow.realtime.connections", "Open realtime connections", broker, b -> b.connectionCount());
        gauge("traceflow.realtime.subscriptions", "Subscriptions of open connections", broker, b -> b.subscriptionCount());
        gauge("traceflow.realtime.topics", "Topics in memory", broker, b -> b.topicCount());
        gauge("traceflow.realtime.queue.messages", "Messages waiting in every connection's send queue", broker,
                b -> b.queuedMessages());
        gauge("traceflow.realtime.queue.max.messages", "Messages waiting in the fullest send queue", broker,
                b -> b.longestQueue());
        gauge("traceflow.realtime.unacked.events", "Reliable events sent and not yet acknowledged", broker, b -> b.unackedEvents());
        gauge("traceflow.realtime.history.bytes", "Bytes held by every topic's history", broker, b -> b.historyBytes());
        published = Counter.builder("traceflow.realtime.events.published")
                .description("Events sequenced (from clients and backends)").register(registry);
        duplicates = Counter.builder("traceflow.realtime.events.duplicate")
                .description("Publishes whose id was already sequenced: answered, not sequenced again").register(registry);
        sent = Counter.builder("traceflow.realtime.messages.sent")
                .description("Messages written to connections (events, replays, redeliveries, replies)").register(registry);
        redelivered = Counter.builder("traceflow.realtime.redeliveries")
                .description("Events sent again because their ack did not come in time").register(registry);
        opened = Counter.builder("traceflow.realtime.connections.opened")
                .description("Connections accepted").register(registry);
        for (Drop drop : Drop.values()) {
            drops.put(drop, Counter.builder("traceflow.realtime.drops").tag("reason", drop.name().toLowerCase())
                    .description("Messages or connections dropped, by reason").register(registry));
        }
    }

    private void gauge(String name, String description, Broker broker, ToDoubleFunction<Broker> value) {
        Gauge.builder(name, broker, value).description(description).register(registry);
    }

    void received(String type) {
        received.computeIfAbsent(type, t -> Counter.builder("traceflow.realtime.messages.received").tag("type", t)
                .description("Client messages handled, by type").register(registry)).increment();
    }

    void dropped(Drop drop) {
        drops.get(drop).increment();
    }

    void dropped(Drop drop, int count) {
        if (count > 0) {
            drops.get(drop).increment(count);
        }
    }
}
