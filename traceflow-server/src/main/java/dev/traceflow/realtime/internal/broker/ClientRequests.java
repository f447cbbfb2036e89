package dev.traceflow.realtime.internal.broker;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads a connection's client messages: bounds each one's size and the connection's rate, parses
 * it, and does what it asks (subscribe, unsubscribe, publish, ack, ping, auth, or another feature's
 * stream message), answering errors in API.md's shape.
 * <p>
 * Threads: the transport's one receiving thread at a time; what it changes of the connection it
 * changes under the connection's lock (see {@link ConnectionWriter}).
 */
final class ClientRequests {

    private final Connection connection;
    private final Broker broker;
    private final BrokerSettings settings;
    private final ReentrantLock lock;
    private final ConnectionWriter writer;
    private final ConnectionAccess access;
    private final Bucket inboundRate;
    /** The last client message was refused over the rate, and told so: the transport's one receiving thread reads and writes it. */
    private volatile boolean overRate;

    ClientRequests(Connection connection, Broker broker, ReentrantLock lock, ConnectionWriter writer, ConnectionAccess access) {
        this.connection = connection;
        this.broker = broker;
        this.settings = broker.settings;
        this.lock = lock;
        this.writer = writer;
        this.access = access;
        long perSecond = settings.messagesPerSecondPerConnection();
        this.inboundRate = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(perSecond * 2).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .withCustomTimePrecision(broker.time).build();
    }

    /** One text message from the client, on an open connection. */
    void receive(String text) {
        if (text.length() > settings.maxMessageBytes() / 3 && text.getBytes(StandardCharsets.UTF_8).length > settings.maxMessageBytes()) {
            broker.meters.dropped(BrokerMeters.Drop.MESSAGE_TOO_LARGE);
            writer.reply(WireFormat.error(ErrorCode.MESSAGE_TOO_LARGE, "a message may have at most " + settings.maxMessageBytes()
                    + " bytes", null, null));
            return;
        }
        if (!inboundRate.tryConsume(1)) {
            refuseOverRate();
            return;
        }
        overRate = false;
        ClientMessage message;
        try {
            message = WireFormat.parse(text, broker.streams().key());
        } catch (BadMessage e) {
            broker.meters.dropped(BrokerMeters.Drop.BAD_MESSAGE);
            writer.reply(WireFormat.error(ErrorCode.BAD_MESSAGE, e.getMessage(), e.topic(), e.id()));
            return;
        }
        switch (message) {
            case ClientMessage.Subscribe m -> subscribe(m);
            case ClientMessage.Unsubscribe m -> unsubscribe(m.topic());
            case ClientMessage.Publish m -> publish(m);
            case ClientMessage.Ack m -> ack(m.topic(), m.seq());
            case ClientMessage.Ping m -> writer.reply(WireFormat.pong());
            case ClientMessage.Auth m -> access.renew(m.token());
            case ClientMessage.Stream m -> broker.streams().receive(connection, m.type(), m.message());
        }
        broker.meters.received(message.getClass().getSimpleName().toLowerCase());
    }

    /** A message that is not one of API.md's, on an open connection: BAD_MESSAGE, answered within the rate. */
    void receiveUnreadable(String why) {
        broker.meters.dropped(BrokerMeters.Drop.BAD_MESSAGE);
        if (inboundRate.tryConsume(1)) {
            writer.reply(WireFormat.error(ErrorCode.BAD_MESSAGE, why, null, null));
        }
    }

    /**
     * One {@code RATE_LIMITED} error per spell of refused messages, not one per message: a client
     * that floods faster than its writer drains would otherwise fill its own send queue with errors
     * and be cut off as a slow consumer (seen in CI: 400 pings, 200 pongs and 200 errors behind a
     * queue of 256). Every refused message is still counted, and a Socket.IO callback still gets its
     * answer, since its client waits for one.
     */
    private void refuseOverRate() {
        broker.meters.dropped(BrokerMeters.Drop.RATE_LIMITED);
        String error = WireFormat.error(ErrorCode.RATE_LIMITED, "a connection may send at most "
                + settings.messagesPerSecondPerConnection() + " messages a second; this one was not handled", null, null);
        if (!overRate) {
            overRate = true;
            writer.reply(error);
        } else {
            writer.answerOnly(error);
        }
    }

    private void subscribe(ClientMessage.Subscribe m) {
        String name = m.topic();
        if (!access.current().maySubscribe(name)) {
            writer.reply(WireFormat.error(ErrorCode.FORBIDDEN_TOPIC, "this connection may not subscribe to '" + name + "'", name, null));
            return;
        }
        Subscription previous;
        lock.lock();
        try {
            previous = connection.subscriptionLocked(name);
            if (previous == null && connection.subscriptionsLocked().size() >= settings.maxSubscriptionsPerConnection()) {
                writer.enqueue(Outgoing.reply(WireFormat.error(ErrorCode.TOO_MANY_SUBSCRIPTIONS, "a connection may subscribe to at most "
                        + settings.maxSubscriptionsPerConnection() + " topics", name, null)));
                return;
            }
        } finally {
            lock.unlock();
        }
        if (previous != null) {
            connection.detach(previous); // subscribing again starts over: a resume after a gap the client noticed
        }
        try {
            Topic topic = broker.topicFor(connection.appId(), name);
            while (!topic.subscribe(new Subscription(topic, connection), m.lastSeq(), m.epoch())) {
                topic = broker.topicFor(connection.appId(), name);
            }
        } catch (PublishRefused e) {
            writer.reply(WireFormat.error(e.code(), e.getMessage(), name, null));
            return;
        }
        if (!connection.isClosed()) {
            broker.events.subscribed(connection, name, m.lastSeq() != null);
        }
    }

    private void unsubscribe(String name) {
        Subscription subscription;
        lock.lock();
        try {
            subscription = connection.subscriptionLocked(name);
        } finally {
            lock.unlock();
        }
        if (subscription != null) {
            connection.detach(subscription);
            broker.events.unsubscribed(connection, name, true);
        }
    }

    private void publish(ClientMessage.Publish m) {
        if (!access.current().mayPublish(m.topic())) {
            writer.reply(WireFormat.error(ErrorCode.FORBIDDEN_TOPIC, "this connection may not publish to '" + m.topic() + "'", m.topic(), m.id()));
            return;
        }
        try {
            Published published = broker.publish(connection.appId(), m.topic(), m.payloadJson(), m.id());
            writer.reply(WireFormat.ack(published.id(), published.topic(), published.seq()));
        } catch (PublishRefused e) {
            writer.reply(WireFormat.error(e.code(), e.getMessage(), m.topic(), m.id()));
        }
    }

    /** Cumulative: settles every sent event of the topic up to {@code seq}. An ack for a topic not subscribed is ignored (it may be late). */
    private void ack(String name, long seq) {
        lock.lock();
        try {
            Subscription subscription = connection.subscriptionLocked(name);
            if (subscription != null) {
                writer.ackLocked(subscription, seq);
            }
        } finally {
            lock.unlock();
        }
    }
}
