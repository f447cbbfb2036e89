package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.PreparedText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A connection's way out: its bounded send queue ({@link Outbox}), the one writer that drains it
 * into the {@link ClientChannel}, and the flow control of reliable events, which the client's acks
 * open again.
 * <p>
 * Threads: topics queue events from their publishers' threads ({@link #deliver}, never blocking),
 * the connection's other parts queue replies. One writer at a time, this object run as a task of
 * the broker's executor (so tests can hold one client's back), drains the queue and may block on a
 * slow client; it only runs while there is something to send, so an idle connection holds no thread.
 * <p>
 * Its state is guarded by the connection's one lock, which the connection's other parts share: an
 * event's enqueue, an ack and a redelivery each touch the queue, the window and the subscriptions
 * together, and one uncontended lock is cheaper than several taken in order. Queuing an event takes
 * that lock once and allocates nothing but its {@link Outgoing}.
 */
final class ConnectionWriter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionWriter.class);
    /** the most prepared messages handed to the transport in one call (a follower's burst is up to half the queue) */
    static final int MAX_PREPARED_RUN = 256;

    private final Connection connection;
    private final Broker broker;
    private final BrokerSettings settings;
    private final ClientChannel channel;
    private final ReentrantLock lock;
    private final Outbox outbox;
    private final Redelivery redelivery;
    /** reliable events sent and not yet acknowledged, over all subscriptions */
    private int unacked;
    private boolean draining;
    /** the writer stopped because the client has as many events unacknowledged as it may: an ack restarts it */
    private boolean waitingForAcks;
    /** the server decided to close it: only its last words are still sent */
    private boolean closing;
    /** the queue's length, for the meters and other features' streams, read without the lock */
    private volatile int queued;
    /** who also wants the direct answers to the message the connection is reading, on its thread (see {@link #answering}) */
    private volatile Thread answeringThread;
    private Consumer<String> answering;

    ConnectionWriter(Connection connection, Broker broker, ClientChannel channel, ReentrantLock lock) {
        this.connection = connection;
        this.broker = broker;
        this.settings = broker.settings;
        this.channel = channel;
        this.lock = lock;
        this.outbox = new Outbox(settings.sendQueueCapacity());
        this.redelivery = new Redelivery(connection, this, broker, lock);
    }

    /** The connection this writes to (tests find one client's writer among the executor's tasks by it). */
    Connection connection() {
        return connection;
    }

    // ---- queuing ----

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

    /** Another feature's messages, in order; false once the connection is closing (the rest were not queued). */
    boolean sendAll(List<String> messages) {
        return enqueueAll(messages, Outgoing::reply);
    }

    /** As {@link #sendAll}, for messages prepared once for many connections. */
    boolean sendPrepared(List<PreparedText> messages) {
        return enqueueAll(messages, Outgoing::prepared);
    }

    private <T> boolean enqueueAll(List<T> messages, Function<T, Outgoing> outgoing) {
        lock.lock();
        try {
            for (T message : messages) {
                if (closing || connection.isClosed()) {
                    return false;
                }
                enqueue(outgoing.apply(message));
            }
            return !closing;
        } finally {
            lock.unlock();
        }
    }

    void reply(String json) {
        lock.lock();
        try {
            enqueue(Outgoing.reply(json));
        } finally {
            lock.unlock();
        }
    }

    /**
     * While the calling thread reads one client message, also hands that message's direct answers to
     * {@code answer} as they are queued (see {@link Connection#receive(String, Consumer)}); null stops it.
     */
    void answering(Consumer<String> answer) {
        if (answer != null) {
            answering = answer;
            answeringThread = Thread.currentThread();
        } else {
            answeringThread = null;
            answering = null;
        }
    }

    /** Hands {@code json} to the current message's answer callback only, without queuing it; nothing when there is none. */
    void answerOnly(String json) {
        if (answeringThread == Thread.currentThread()) {
            answering.accept(json);
        }
    }

    /** Under the lock. Once the connection is closing, only its last words are queued. */
    void enqueue(Outgoing item) {
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
                connection.cutOffLocked(settings.sendQueueCapacity() + " messages queued");
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
                broker.executor.execute(this);
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

    // ---- writing ----

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
    @Override
    public void run() {
        while (true) {
            Outgoing item;
            List<PreparedText> run = null;
            boolean pause;
            lock.lock();
            try {
                pause = windowFullLocked();
                item = pause ? null : outbox.poll();
                if (item != null && item.prepared() != null) {
                    run = preparedRunLocked(item);
                }
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
                        broker.streams().drained(connection);
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
            if (run != null) {
                try {
                    channel.sendPrepared(run);
                } catch (IOException | RuntimeException e) {
                    writeFailed(e);
                    return;
                }
                broker.meters.sent.increment(run.size());
                continue;
            }
            try {
                if (item.subscription() != null) {
                    channel.sendEvent(item.json()); // the topic's one instance of the event, as every subscriber gets it
                } else {
                    channel.send(item.json());
                }
            } catch (IOException | RuntimeException e) {
                writeFailed(e);
                return;
            }
            broker.meters.sent.increment();
            if (item.close() != null) {
                flushed();
                channel.close(item.close());
                connection.close();
                return;
            }
            if (item.event() != null) {
                track(item);
            }
        }
    }

    /**
     * Under the lock: {@code first} (a prepared message just taken) and the prepared messages queued right
     * behind it, taken too, so that the transport writes them in one go instead of one message at a time.
     */
    private List<PreparedText> preparedRunLocked(Outgoing first) {
        List<PreparedText> run = new ArrayList<>();
        run.add(first.prepared());
        for (Outgoing next = outbox.peek(); next != null && next.prepared() != null && run.size() < MAX_PREPARED_RUN; next = outbox.peek()) {
            run.add(outbox.poll().prepared());
        }
        return run;
    }

    private void writeFailed(Exception e) {
        LOG.debug("Realtime connection {} could not be written to: {}", connection.id(), e.toString());
        connection.ended("write_failed", true);
        connection.close();
    }

    /** @return false when the connection is gone (it is closed then) */
    private boolean flushed() {
        try {
            channel.flush();
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("Realtime connection {} could not be flushed: {}", connection.id(), e.toString());
            connection.ended("write_failed", true);
            connection.close();
            return false;
        }
    }

    // ---- acknowledgements ----

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
            redelivery.armLocked(pending.dueAt);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock. Cumulative: settles every sent event of the subscription up to {@code seq}, and
     * restarts a writer that waited for room in the window.
     */
    void ackLocked(Subscription subscription, long seq) {
        if (seq <= subscription.ackedSeq) {
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
    }

    /** Under the lock: an unacknowledged event will not be sent again (it went out too often, or its subscription ended). */
    void settledLocked(Pending pending) {
        pending.settled = true;
        unacked--;
    }

    int unackedCount() {
        lock.lock();
        try {
            return unacked;
        } finally {
            lock.unlock();
        }
    }

    // ---- closing ----

    boolean isClosing() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock. Like {@link #isClosing()}, for the connection's parts that hold the lock already. */
    boolean closingLocked() {
        return closing;
    }

    /** Under the lock: drops what is queued and queues only {@code lastWords} (the close follows them). */
    void closeWithLocked(Outgoing lastWords) {
        closing = true;
        broker.meters.dropped(BrokerMeters.Drop.CLOSED, outbox.clear());
        enqueue(lastWords);
    }

    /** Under the lock: the connection is gone; drops what is queued and stops sending again. */
    void closedLocked() {
        closing = true;
        broker.meters.dropped(BrokerMeters.Drop.CLOSED, outbox.clear());
        queued = 0;
        redelivery.cancelLocked();
    }

    /** The queue's length; read without the lock (a meter's or a stream's estimate). */
    int queued() {
        return queued;
    }
}
