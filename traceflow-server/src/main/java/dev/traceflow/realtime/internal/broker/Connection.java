package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.StreamClient;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client's connection to one app's topics, whatever the transport: it reads the client's
 * messages ({@link #receive}), keeps its subscriptions and what they have not acknowledged, and
 * writes to the client through a bounded send queue.
 * <p>
 * Threads: the transport calls {@link #receive} one message at a time. Topics hand events over
 * from their publishers' threads ({@link #deliver}, never blocking). One writer at a time, on the
 * broker's executor, drains the queue into the {@link ClientChannel} and may block there as long
 * as the client is slow; it only runs while there is something to send, so an idle connection
 * holds no thread. The state below is guarded by {@link #lock}; the lock order is a topic's lock,
 * then this one.
 */
public final class Connection implements StreamClient {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final Broker broker;
    private final BrokerSettings settings;
    private final String id;
    private final String appId;
    private final String userKey;
    private final String clientIp;
    private final ClientChannel channel;
    private final Bucket inboundRate;
    /** The last client message was refused over the rate, and told so: the transport's one receiving thread reads and writes it. */
    private volatile boolean overRate;
    private volatile ConnectionAuth auth;

    private final ReentrantLock lock = new ReentrantLock();
    private final Outbox outbox;
    private final Map<String, Subscription> subscriptions = new HashMap<>(4);
    private int unacked;
    private boolean draining;
    /** the writer stopped because the client has as many events unacknowledged as it may: an ack restarts it */
    private boolean waitingForAcks;
    /** the server decided to close it: only its last words are still sent */
    private boolean closing;
    private volatile int queued;
    private Timers.Scheduled redeliveryTimer;
    private long redeliveryAt = Long.MAX_VALUE;
    private Timers.Scheduled expiryTimer;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** what ended the connection, first cause wins (see {@link ConnectionEvents#closed}); guarded by {@link #lock} */
    private String endedHow;
    private boolean endedAbnormally;
    /** who also wants the direct answers to the message {@link #receive(String, java.util.function.Consumer)} is reading, on its thread */
    private volatile Thread answeringThread;
    private java.util.function.Consumer<String> answering;

    Connection(Broker broker, String id, String appId, String userKey, String clientIp, ConnectionAuth auth, ClientChannel channel) {
        this.broker = broker;
        this.settings = broker.settings;
        this.id = id;
        this.appId = appId;
        this.userKey = userKey;
        this.clientIp = clientIp;
        this.auth = auth;
        this.channel = channel;
        this.outbox = new Outbox(settings.sendQueueCapacity());
        long perSecond = settings.messagesPerSecondPerConnection();
        this.inboundRate = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(perSecond * 2).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .withCustomTimePrecision(broker.time).build();
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
        return auth.actor();
    }

    // ---- from the client ----

    /** One text message from the client. */
    public void receive(String text) {
        if (closed.get() || isClosing()) {
            return;
        }
        if (text.length() > settings.maxMessageBytes() / 3 && text.getBytes(StandardCharsets.UTF_8).length > settings.maxMessageBytes()) {
            broker.meters.dropped(BrokerMeters.Drop.MESSAGE_TOO_LARGE);
            reply(WireFormat.error(ErrorCode.MESSAGE_TOO_LARGE, "a message may have at most " + settings.maxMessageBytes()
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
            reply(WireFormat.error(ErrorCode.BAD_MESSAGE, e.getMessage(), e.topic(), e.id()));
            return;
        }
        switch (message) {
            case ClientMessage.Subscribe m -> subscribe(m);
            case ClientMessage.Unsubscribe m -> unsubscribe(m.topic());
            case ClientMessage.Publish m -> publish(m);
            case ClientMessage.Ack m -> ack(m.topic(), m.seq());
            case ClientMessage.Ping m -> reply(WireFormat.pong());
            case ClientMessage.Auth m -> renew(m.token());
            case ClientMessage.Stream m -> broker.streams().receive(this, m.type(), m.message());
        }
        broker.meters.received(message.getClass().getSimpleName().toLowerCase());
    }

    /**
     * Like {@link #receive(String)}, and also hands the message's direct answers (its {@code ack},
     * {@code subscribed}, {@code pong}, {@code authenticated} or {@code error}; none for an {@code ack}
     * or an {@code unsubscribe}) to {@code answer} as they are queued: Socket.IO's acknowledgement
     * callbacks. Events, and what other threads queue meanwhile, are not answers.
     */
    public void receive(String text, java.util.function.Consumer<String> answer) {
        answering = answer;
        answeringThread = Thread.currentThread();
        try {
            receive(text);
        } finally {
            answeringThread = null;
            answering = null;
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
            reply(error);
        } else if (answeringThread == Thread.currentThread()) {
            answering.accept(error);
        }
    }

    /** A message the transport could not make one of API.md's of (a Socket.IO event other than {@code message}): BAD_MESSAGE. */
    public void receiveUnreadable(String why) {
        if (closed.get() || isClosing()) {
            return;
        }
        broker.meters.dropped(BrokerMeters.Drop.BAD_MESSAGE);
        if (inboundRate.tryConsume(1)) {
            reply(WireFormat.error(ErrorCode.BAD_MESSAGE, why, null, null));
        }
    }

    /** A binary message: not part of the protocol. */
    public void receiveBinary() {
        if (closed.get() || isClosing()) {
            return;
        }
        broker.meters.dropped(BrokerMeters.Drop.BAD_MESSAGE);
        if (inboundRate.tryConsume(1)) {
            reply(WireFormat.error(ErrorCode.BAD_MESSAGE, "binary messages are not part of the protocol: send JSON text", null, null));
        }
    }

    private void subscribe(ClientMessage.Subscribe m) {
        String name = m.topic();
        if (!auth.maySubscribe(name)) {
            reply(WireFormat.error(ErrorCode.FORBIDDEN_TOPIC, "this connection may not subscribe to '" + name + "'", name, null));
            return;
        }
        Subscription previous;
        lock.lock();
        try {
            previous = subscriptions.get(name);
            if (previous == null && subscriptions.size() >= settings.maxSubscriptionsPerConnection()) {
                enqueue(Outgoing.reply(WireFormat.error(ErrorCode.TOO_MANY_SUBSCRIPTIONS, "a connection may subscribe to at most "
                        + settings.maxSubscriptionsPerConnection() + " topics", name, null)));
                return;
            }
        } finally {
            lock.unlock();
        }
        if (previous != null) {
            detach(previous); // subscribing again starts over: a resume after a gap the client noticed
        }
        try {
            Topic topic = broker.topicFor(appId, name);
            while (!topic.subscribe(new Subscription(topic, this), m.lastSeq(), m.epoch())) {
                topic = broker.topicFor(appId, name);
            }
        } catch (PublishRefused e) {
            reply(WireFormat.error(e.code(), e.getMessage(), name, null));
            return;
        }
        if (!closed.get()) {
            broker.events.subscribed(this, name, m.lastSeq() != null);
        }
    }

    private void unsubscribe(String name) {
        Subscription subscription;
        lock.lock();
        try {
            subscription = subscriptions.get(name);
        } finally {
            lock.unlock();
        }
        if (subscription != null) {
            detach(subscription);
            broker.events.unsubscribed(this, name, true);
        }
    }

    private void publish(ClientMessage.Publish m) {
        if (!auth.mayPublish(m.topic())) {
            reply(WireFormat.error(ErrorCode.FORBIDDEN_TOPIC, "this connection may not publish to '" + m.topic() + "'", m.topic(), m.id()));
            return;
        }
        try {
            Published published = broker.publish(appId, m.topic(), m.payloadJson(), m.id());
            reply(WireFormat.ack(published.id(), published.topic(), published.seq()));
        } catch (PublishRefused e) {
            reply(WireFormat.error(e.code(), e.getMessage(), m.topic(), m.id()));
        }
    }

    /** Cumulative: settles every sent event of the topic up to {@code seq}. An ack for a topic not subscribed is ignored (it may be late). */
    private void ack(String name, long seq) {
        lock.lock();
        try {
            Subscription subscription = subscriptions.get(name);
            if (subscription == null || seq <= subscription.ackedSeq) {
                return;
            }
            subscription.ackedSeq = seq;
            while (!subscription.unacked.isEmpty() && subscription.unacked.peekFirst().event().seq() <= seq) {
                subscription.unacked.pollFirst().settled = true;
                unacked--;
            }
            if (waitingForAcks && unacked < settings.maxUnackedPerConnection()) {
                waitingForAcks = false;
                startWriterLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private void renew(String token) {
        ConnectionAuth fresh;
        try {
            fresh = auth.renew(token);
        } catch (AuthRefused e) {
            reply(WireFormat.error(ErrorCode.UNAUTHORIZED, e.getMessage() + "; the connection keeps its current token until it expires",
                    null, null));
            return;
        }
        apply(fresh);
        Instant expires = fresh.expiresAt();
        reply(WireFormat.authenticated(expires == null ? null : expires.toEpochMilli()));
    }

    // ---- for other features' streams (ConnectionStreams) ----

    @Override
    public String userId() {
        ConnectionAuth.Actor actor = auth.actor();
        return actor == null ? null : actor.userId();
    }

    @Override
    public int queued() {
        return queued;
    }

    @Override
    public int queueCapacity() {
        return settings.sendQueueCapacity();
    }

    @Override
    public boolean send(String json) {
        return sendAll(List.of(json));
    }

    @Override
    public boolean sendAll(List<String> messages) {
        lock.lock();
        try {
            for (String json : messages) {
                if (closing || closed.get()) {
                    return false;
                }
                enqueue(Outgoing.reply(json));
            }
            return !closing;
        } finally {
            lock.unlock();
        }
    }

    // ---- access over time ----

    /** Arms the expiry timer for the current credential. Called once the connection is registered. */
    void start() {
        armExpiry();
    }

    /** Checks the credential, account and role again; closes the connection when they no longer let it in. May block. */
    void recheck() {
        if (closed.get() || isClosing()) {
            return;
        }
        ConnectionAuth current = auth;
        Instant expires = current.expiresAt();
        if (expires != null && expires.toEpochMilli() <= broker.clock.millis()) {
            expireIfDue(); // its timer is due too; whichever comes first closes it
            return;
        }
        try {
            ConnectionAuth fresh = current.recheck();
            if (auth == current) {
                apply(fresh);
            }
        } catch (AuthRefused e) {
            terminate(CloseReason.of(e.code()), e.code(), e.getMessage());
        } catch (RuntimeException e) {
            // a failing database must not cut every connection off: they keep their access until it answers again
            LOG.warn("Realtime access check failed for connection {}; it keeps its access until the next check", id, e);
        }
    }

    /** Uses a new access snapshot: re-arms the expiry, and ends subscriptions it no longer allows. */
    private void apply(ConnectionAuth fresh) {
        auth = fresh;
        armExpiry();
        List<Subscription> lost = new ArrayList<>();
        lock.lock();
        try {
            for (Subscription s : subscriptions.values()) {
                if (!fresh.maySubscribe(s.topic.name)) {
                    lost.add(s);
                }
            }
        } finally {
            lock.unlock();
        }
        for (Subscription s : lost) {
            detach(s);
            broker.events.unsubscribed(this, s.topic.name, false);
            reply(WireFormat.error(ErrorCode.FORBIDDEN_TOPIC, "this connection may no longer subscribe to '" + s.topic.name
                    + "': the subscription ended", s.topic.name, null));
        }
    }

    private void armExpiry() {
        Instant expires = auth.expiresAt();
        lock.lock();
        try {
            if (expiryTimer != null) {
                expiryTimer.cancel();
                expiryTimer = null;
            }
            if (expires != null && !closed.get()) {
                Duration in = Duration.ofMillis(Math.max(0, expires.toEpochMilli() - broker.clock.millis()));
                expiryTimer = broker.timers.schedule(in, this::expireIfDue);
            }
        } finally {
            lock.unlock();
        }
    }

    private void expireIfDue() {
        Instant expires = auth.expiresAt();
        if (expires == null) {
            return;
        }
        if (expires.toEpochMilli() <= broker.clock.millis()) {
            terminate(CloseReason.UNAUTHORIZED, ErrorCode.UNAUTHORIZED,
                    "the access token expired; send {type:'auth', token} with a fresh one before it does");
        } else {
            armExpiry();
        }
    }

    // ---- to the client ----

    /** A topic hands over one of its events; never blocks (called under the topic's lock). */
    void deliver(Subscription subscription, PublishedEvent event, boolean isVolatile) {
        lock.lock();
        try {
            if (closing || !subscription.active) {
                return;
            }
            enqueue(Outgoing.event(subscription, event, isVolatile));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers a subscription and queues its reply and replay (called under the topic's lock).
     *
     * @return false when the connection is closing: the subscription was not registered
     */
    boolean attach(Subscription subscription, String subscribedReply, List<PublishedEvent> replay, boolean isVolatile) {
        lock.lock();
        try {
            if (closing || closed.get()) {
                return false;
            }
            subscriptions.put(subscription.topic.name, subscription);
            enqueue(Outgoing.reply(subscribedReply));
            for (PublishedEvent event : replay) {
                enqueue(Outgoing.replay(subscription, event, isVolatile));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a subscription: the topic forgets it, its unacknowledged events are given up. */
    private void detach(Subscription subscription) {
        subscription.topic.unsubscribe(subscription);
        lock.lock();
        try {
            subscription.active = false;
            subscriptions.remove(subscription.topic.name, subscription);
            unacked -= subscription.unacked.size();
            for (Pending p : subscription.unacked) {
                p.settled = true;
            }
            subscription.unacked.clear();
        } finally {
            lock.unlock();
        }
    }

    private void reply(String json) {
        lock.lock();
        try {
            enqueue(Outgoing.reply(json));
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock. Once the connection is closing, only its last words are queued. */
    private void enqueue(Outgoing item) {
        if (closing && item.close() == null) {
            return;
        }
        if (answeringThread == Thread.currentThread() && item.subscription() == null && item.close() == null) {
            answering.accept(item.json());
        }
        switch (outbox.offer(item)) {
            case ADDED -> {
            }
            case DROPPED_VOLATILE -> broker.meters.dropped(BrokerMeters.Drop.VOLATILE_OVERFLOW);
            case FULL -> {
                cutOffLocked(settings.sendQueueCapacity() + " messages queued");
                return;
            }
        }
        queued = outbox.size();
        if (!waitingForAcks || item.close() != null) {
            waitingForAcks = false;
            startWriterLocked();
        }
    }

    private void startWriterLocked() {
        if (!draining && !outbox.isEmpty()) {
            draining = true;
            try {
                broker.executor.execute(new Writer(this));
            } catch (RejectedExecutionException e) {
                draining = false; // shutting down: the connection is closed with everything else
            }
        }
    }

    /** Under the lock: the next item is a reliable event's first send, and the client has a full window unacknowledged. */
    private boolean windowFullLocked() {
        Outgoing next = outbox.peek();
        return next != null && next.event() != null && next.redelivery() == null && next.close() == null
                && unacked >= settings.maxUnackedPerConnection();
    }

    /** A connection's writer as a task of the broker's executor (named, so tests can hold one client's back). */
    record Writer(Connection connection) implements Runnable {
        @Override
        public void run() {
            connection.drain();
        }
    }

    /**
     * The writer: sends what is queued, in order, until the queue is empty, then flushes: a burst
     * goes out in as few writes as the transport's buffer allows, a lone message at once.
     * <p>
     * It also stops before a reliable event when the client has
     * {@link BrokerSettings#maxUnackedPerConnection()} events unacknowledged: the acks are the flow
     * control (a transport may buffer without telling how much, so its writes are no measure of a
     * slow client). Events then wait in the bounded queue, and a client that neither reads nor acks
     * fills it and is cut off as a slow consumer.
     */
    private void drain() {
        while (true) {
            Outgoing item;
            boolean pause;
            lock.lock();
            try {
                pause = windowFullLocked();
                item = pause ? null : outbox.poll();
                queued = outbox.size();
                if (item != null && item.redelivery() != null && item.redelivery().settled) {
                    continue; // acknowledged while it waited
                }
            } finally {
                lock.unlock();
            }
            if (item == null) {
                if (!flushed()) {
                    return;
                }
                lock.lock();
                try {
                    if (windowFullLocked()) {
                        waitingForAcks = true;
                        draining = false;
                        return;
                    }
                    if (outbox.isEmpty()) {
                        draining = false;
                        broker.streams().drained(this);
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                continue; // more came, or acks, while flushing
            }
            if (item.subscription() != null && !item.subscription().active) {
                continue;
            }
            try {
                channel.send(item.json());
            } catch (java.io.IOException | RuntimeException e) {
                LOG.debug("Realtime connection {} could not be written to: {}", id, e.toString());
                ended("write_failed", true);
                close();
                return;
            }
            broker.meters.sent.increment();
            if (item.close() != null) {
                flushed();
                channel.close(item.close());
                close();
                return;
            }
            if (item.event() != null) {
                track(item);
            }
        }
    }

    /** @return false when the connection is gone (it is closed then) */
    private boolean flushed() {
        try {
            channel.flush();
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debug("Realtime connection {} could not be flushed: {}", id, e.toString());
            ended("write_failed", true);
            close();
            return false;
        }
    }

    /** After a reliable event went out: wait for its ack, and send it again when none comes in time. */
    private void track(Outgoing item) {
        long now = broker.clock.millis();
        lock.lock();
        try {
            Subscription subscription = item.subscription();
            if (!subscription.active || closing) {
                return;
            }
            Pending pending = item.redelivery();
            if (pending == null) {
                if (item.event().seq() <= subscription.ackedSeq) {
                    return; // the ack overtook us
                }
                pending = new Pending(item.event(), now + settings.ackTimeout().toMillis());
                subscription.unacked.addLast(pending);
                unacked++;
            } else if (!pending.settled) {
                pending.dueAt = now + settings.redeliveryDelay(pending.sends).toMillis();
            } else {
                return;
            }
            armRedeliveryLocked(pending.dueAt);
        } finally {
            lock.unlock();
        }
    }

    private void armRedeliveryLocked(long at) {
        if (at >= redeliveryAt) {
            return;
        }
        if (redeliveryTimer != null) {
            redeliveryTimer.cancel();
        }
        redeliveryAt = at;
        redeliveryTimer = broker.timers.schedule(Duration.ofMillis(Math.max(0, at - broker.clock.millis())), this::redeliverDue);
    }

    /** Sends again every event whose ack is overdue, or gives it up after its last send. */
    private void redeliverDue() {
        lock.lock();
        try {
            redeliveryTimer = null;
            redeliveryAt = Long.MAX_VALUE;
            if (closing || closed.get()) {
                return;
            }
            long now = broker.clock.millis();
            long next = Long.MAX_VALUE;
            for (Subscription subscription : new ArrayList<>(subscriptions.values())) {
                for (Iterator<Pending> it = subscription.unacked.iterator(); it.hasNext(); ) {
                    Pending p = it.next();
                    if (p.dueAt > now) {
                        if (p.dueAt != Pending.QUEUED) {
                            next = Math.min(next, p.dueAt);
                        }
                        continue;
                    }
                    if (p.sends >= settings.maxDeliveries()) {
                        it.remove();
                        p.settled = true;
                        unacked--;
                        broker.meters.dropped(BrokerMeters.Drop.UNACKED);
                        continue;
                    }
                    p.sends++;
                    p.dueAt = Pending.QUEUED;
                    broker.meters.redelivered.increment();
                    enqueue(Outgoing.redelivery(subscription, p));
                    if (closing) {
                        return;
                    }
                }
            }
            if (next != Long.MAX_VALUE) {
                armRedeliveryLocked(next);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- closing ----

    private boolean isClosing() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    private void cutOffLocked(String why) {
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
        if (closing || closed.get()) {
            return;
        }
        closing = true;
        endedLocked(reason.name(), reason != CloseReason.SHUTDOWN);
        broker.meters.dropped(BrokerMeters.Drop.CLOSED, outbox.clear());
        enqueue(Outgoing.lastWords(WireFormat.error(code, message, null, null), reason));
        broker.timers.schedule(settings.closeGrace(), () -> broker.runBlocking(() -> {
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

    private void ended(String how, boolean abnormal) {
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
            closing = true;
            broker.meters.dropped(BrokerMeters.Drop.CLOSED, outbox.clear());
            queued = 0;
            all = new ArrayList<>(subscriptions.values());
            if (redeliveryTimer != null) {
                redeliveryTimer.cancel();
            }
            if (expiryTimer != null) {
                expiryTimer.cancel();
            }
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
        return queued;
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
        lock.lock();
        try {
            return unacked;
        } finally {
            lock.unlock();
        }
    }
}
