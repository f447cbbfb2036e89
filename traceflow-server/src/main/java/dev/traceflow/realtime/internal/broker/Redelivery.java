package dev.traceflow.realtime.internal.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends a connection's reliable events again when their acks are overdue, and gives one up after
 * {@link BrokerSettings#maxDeliveries()} sends. One timer a connection, armed for the earliest due
 * event: a client with a full window of unacknowledged events holds one scheduled task, not one an
 * event.
 * <p>
 * Its state is guarded by the connection's lock (see {@link ConnectionWriter}).
 */
final class Redelivery {

    private final Connection connection;
    private final ConnectionWriter writer;
    private final Broker broker;
    private final BrokerSettings settings;
    private final ReentrantLock lock;
    private Timers.Scheduled timer;
    /** when {@link #timer} fires (epoch ms), or {@link Long#MAX_VALUE} when it is not armed */
    private long armedAt = Long.MAX_VALUE;

    Redelivery(Connection connection, ConnectionWriter writer, Broker broker, ReentrantLock lock) {
        this.connection = connection;
        this.writer = writer;
        this.broker = broker;
        this.settings = broker.settings;
        this.lock = lock;
    }

    /** Under the lock: makes sure the timer fires by {@code at} (epoch ms); a later one is moved earlier, an earlier one kept. */
    void armLocked(long at) {
        if (at >= armedAt) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        armedAt = at;
        timer = broker.timers.schedule(Duration.ofMillis(Math.max(0, at - broker.clock.millis())), this::redeliverDue);
    }

    /** Under the lock: the connection is gone. */
    void cancelLocked() {
        if (timer != null) {
            timer.cancel();
        }
    }

    /** Sends again every event whose ack is overdue, or gives it up after its last send. */
    private void redeliverDue() {
        lock.lock();
        try {
            timer = null;
            armedAt = Long.MAX_VALUE;
            if (writer.closingLocked() || connection.isClosed()) {
                return;
            }
            long now = broker.clock.millis();
            long next = Long.MAX_VALUE;
            for (Subscription subscription : new ArrayList<>(connection.subscriptionsLocked())) {
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
                        writer.settledLocked(p);
                        broker.meters.dropped(BrokerMeters.Drop.UNACKED);
                        continue;
                    }
                    p.sends++;
                    p.dueAt = Pending.QUEUED;
                    broker.meters.redelivered.increment();
                    writer.enqueue(Outgoing.redelivery(subscription, p));
                    if (writer.closingLocked()) {
                        return;
                    }
                }
            }
            if (next != Long.MAX_VALUE) {
                armLocked(next);
            }
        } finally {
            lock.unlock();
        }
    }
}
