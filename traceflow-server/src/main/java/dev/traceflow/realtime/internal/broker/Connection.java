package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.PreparedText;
import dev.traceflow.realtime.StreamClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One client's connection to one app's topics, whatever the transport: what the transport and the
 * broker see of it, its subscriptions, and how it ends. Its other jobs are its parts:
 * {@link ClientRequests} reads the client's messages, {@link ConnectionAccess} keeps what it may do
 * over time, and {@link ConnectionWriter} queues and writes to the client (with {@link Redelivery}
 * for events not acknowledged in time).
 * <p>
 * Threads: the transport calls {@link #receive} one message at a time. Topics hand events over
 * from their publishers' threads ({@link #deliver}, never blocking). One writer at a time, on the
 * broker's executor, drains the send queue into the {@link ClientChannel}. The connection and its
 * parts share one lock, {@link #lock} (see {@link ConnectionWriter} for why one); the lock order is
 * a topic's lock, then this one. The parts are created once per connection and call each other
 * directly: a message costs no more locks, allocations or dispatch than one class would.
 */
public final class Connection implements StreamClient {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final Broker broker;
    private final String id;
    private final String appId;
    private final String userKey;
    private final String clientIp;
    private final ClientChannel channel;

    private final ReentrantLock lock = new ReentrantLock();
    private final ConnectionWriter writer;
    private final ConnectionAccess access;
    private final ClientRequests requests;
    /** by topic name; guarded by {@link #lock} */
    private final Map<String, Subscription> subscriptions = new HashMap<>(4);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** what ended the connection, first cause wins (see {@link ConnectionEvents#closed}); guarded by {@link #lock} */
    private String endedHow;
    private boolean endedAbnormally;

    Connection(Broker broker, String id, String appId, String userKey, String clientIp, ConnectionAuth auth, ClientChannel channel) {
        this.broker = broker;
        this.id = id;
        this.appId = appId;
        this.userKey = userKey;
        this.clientIp = clientIp;
        this.channel = channel;
        this.writer = new ConnectionWriter(this, broker, channel, lock);
        this.access = new ConnectionAccess(this, broker, lock, auth);
        this.requests = new ClientRequests(this, broker, lock, writer, access);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String appId() {
        return appId;
    }

    /** The user behind it, or null for an anonymous browser client. */
    public String userKey() {
        return userKey;
    }

    public String clientIp() {
        return clientIp;
    }

    /** Who is connected, for the audit trail; null for an anonymous browser client. */
    public ConnectionAuth.Actor actor() {
        return access.current().actor();
    }

    // ---- from the client ----

    /** One text message from the client. */
    public void receive(String text) {
        if (closed.get() || writer.isClosing()) {
            return;
        }
        requests.receive(text);
    }

    /**
     * Like {@link #receive(String)}, and also hands the message's direct answers (its {@code ack},
     * {@code subscribed}, {@code pong}, {@code authenticated} or {@code error}; none for an {@code ack}
     * or an {@code unsubscribe}) to {@code answer} as they are queued: Socket.IO's acknowledgement
     * callbacks. Events, and what other threads queue meanwhile, are not answers.
     */
    public void receive(String text, Consumer<String> answer) {
        writer.answering(answer);
        try {
            receive(text);
        } finally {
            writer.answering(null);
        }
    }

    /** A message the transport could not make one of API.md's of (a Socket.IO event other than {@code message}): BAD_MESSAGE. */
    public void receiveUnreadable(String why) {
        if (closed.get() || writer.isClosing()) {
            return;
        }
        requests.receiveUnreadable(why);
    }

    /** A binary message: not part of the protocol. */
    public void receiveBinary() {
        receiveUnreadable("binary messages are not part of the protocol: send JSON text");
    }

    // ---- for other features' streams (ConnectionStreams) ----

    @Override
    public String userId() {
        ConnectionAuth.Actor actor = access.current().actor();
        return actor == null ? null : actor.userId();
    }

    @Override
    public int queued() {
        return writer.queued();
    }

    @Override
    public int queueCapacity() {
        return broker.settings.sendQueueCapacity();
    }

    @Override
    public boolean send(String json) {
        return sendAll(List.of(json));
    }

    @Override
    public boolean sendAll(List<String> messages) {
        return writer.sendAll(messages);
    }

    @Override
    public boolean sendPrepared(List<PreparedText> messages) {
        return writer.sendPrepared(messages);
    }

    // ---- access over time ----

    /** Arms the expiry timer for the current credential. Called once the connection is registered. */
    void start() {
        access.start();
    }

    /** Checks the credential, account and role again; closes the connection when they no longer let it in. May block. */
    void recheck() {
        if (closed.get() || writer.isClosing()) {
            return;
        }
        access.recheck();
    }

    // ---- subscriptions ----

    /** A topic hands over one of its events; never blocks (called under the topic's lock). */
    void deliver(Subscription subscription, PublishedEvent event, boolean isVolatile) {
        writer.deliver(subscription, event, isVolatile);
    }

    /**
     * Registers a subscription and queues its reply and replay (called under the topic's lock).
     *
     * @return false when the connection is closing: the subscription was not registered
     */
    boolean attach(Subscription subscription, String subscribedReply, List<PublishedEvent> replay, boolean isVolatile) {
        lock.lock();
        try {
            if (writer.closingLocked() || closed.get()) {
                return false;
            }
            subscriptions.put(subscription.topic.name, subscription);
            writer.enqueue(Outgoing.reply(subscribedReply));
            for (PublishedEvent event : replay) {
                writer.enqueue(Outgoing.replay(subscription, event, isVolatile));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a subscription: the topic forgets it, its unacknowledged events are given up. */
    void detach(Subscription subscription) {
        subscription.topic.unsubscribe(subscription);
        lock.lock();
        try {
            subscription.active = false;
            subscriptions.remove(subscription.topic.name, subscription);
            for (Pending p : subscription.unacked) {
                writer.settledLocked(p);
            }
            subscription.unacked.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the subscription to {@code topic}, or null. */
    Subscription subscriptionLocked(String topic) {
        return subscriptions.get(topic);
    }

    /** Under the lock: every subscription, a live view. */
    Collection<Subscription> subscriptionsLocked() {
        return subscriptions.values();
    }

    void reply(String json) {
        writer.reply(json);
    }

    // ---- closing ----

    /** Under the lock: the client fell behind and its send queue is full. */
    void cutOffLocked(String why) {
        broker.meters.dropped(BrokerMeters.Drop.SLOW_CONSUMER);
        LOG.info("Realtime connection {} of app {} cut off as a slow consumer: {}", id, appId, why);
        terminateLocked(CloseReason.SLOW_CONSUMER, ErrorCode.SLOW_CONSUMER, "the connection fell behind (" + why
                + "); reconnect and subscribe with lastSeq and epoch to resume");
    }

    /**
     * The server closes the connection: whatever is queued is dropped, the client gets one error
     * message (when it still reads) and the close. A writer blocked on a client that does not read
     * is not waited for beyond {@link BrokerSettings#closeGrace()}.
     */
    void terminate(CloseReason reason, ErrorCode code, String message) {
        lock.lock();
        try {
            terminateLocked(reason, code, message);
        } finally {
            lock.unlock();
        }
    }

    private void terminateLocked(CloseReason reason, ErrorCode code, String message) {
        if (writer.closingLocked() || closed.get()) {
            return;
        }
        endedLocked(reason.name(), reason != CloseReason.SHUTDOWN);
        writer.closeWithLocked(Outgoing.lastWords(WireFormat.error(code, message, null, null), reason));
        broker.timers.schedule(broker.settings.closeGrace(), () -> broker.runBlocking(() -> {
            channel.close(reason);
            close();
        }));
    }

    /**
     * The transport saw the connection end.
     *
     * @param webSocketCloseCode the close code (1000 normal, 1001 a page going away, 1005 none given: the client
     *                           left normally; 1006 no close at all: the network dropped it; anything else the client's
     *                           own reason, counted abnormal)
     */
    public void closedByTransport(int webSocketCloseCode) {
        boolean normal = webSocketCloseCode == 1000 || webSocketCloseCode == 1001 || webSocketCloseCode == 1005;
        ended(normal ? "client_closed" : webSocketCloseCode == 1006 ? "dropped" : "client_closed_" + webSocketCloseCode, !normal);
        close();
    }

    /** The transport failed (a broken socket): the connection is gone, abnormally. */
    public void failedInTransport() {
        ended("dropped", true);
        close();
    }

    /** Records what ended the connection, unless something did already. */
    void ended(String how, boolean abnormal) {
        lock.lock();
        try {
            endedLocked(how, abnormal);
        } finally {
            lock.unlock();
        }
    }

    private void endedLocked(String how, boolean abnormal) {
        if (endedHow == null) {
            endedHow = how;
            endedAbnormally = abnormal;
        }
    }

    /**
     * The connection is gone (the transport says so, or the server closed it): leaves every topic,
     * releases its place in the limits. Idempotent.
     */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<Subscription> all;
        String how;
        boolean abnormal;
        lock.lock();
        try {
            endedLocked("closed", false); // closed by whoever holds the connection, for no reason given (tests, embedders)
            how = endedHow;
            abnormal = endedAbnormally;
            writer.closedLocked();
            all = new ArrayList<>(subscriptions.values());
            access.cancelLocked();
        } finally {
            lock.unlock();
        }
        for (Subscription s : all) {
            detach(s);
        }
        broker.streams().closed(this);
        broker.closed(this);
        broker.events.closed(this, how, abnormal);
    }

    boolean isClosed() {
        return closed.get();
    }

    // ---- figures for the meters ----

    int queuedMessages() {
        return writer.queued();
    }

    int subscriptionCount() {
        lock.lock();
        try {
            return subscriptions.size();
        } finally {
            lock.unlock();
        }
    }

    int unackedCount() {
        return writer.unackedCount();
    }
}
