package dev.traceflow.realtime.internal.broker;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One app's topic: its sequence, history, recent publish ids and subscribers, under one lock.
 * <p>
 * Sequencing, appending to the history and handing the event to every subscriber's send queue
 * happen under that lock, and so does a subscriber's resume (replay and registration). That one
 * lock is what makes {@code seq} gapless under concurrent publishers and the resume seam exact:
 * an event is either in the replay or in the live stream, never in both or neither. Handing over
 * never blocks (a send queue only takes or refuses), so a slow subscriber cannot hold the lock.
 * Lock order: a topic's lock, then a connection's; never the other way round.
 */
final class Topic {

    final String appId;
    final String name;
    /** changes whenever this topic's history starts over: a new Topic object is a new epoch */
    final String epoch = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);

    private final BrokerSettings settings;
    private final Clock clock;
    private final BrokerMeters meters;
    private final ReentrantLock lock = new ReentrantLock();
    private final TopicHistory history;
    /** publish id -> its event's seq and when it was sequenced, oldest first */
    private final LinkedHashMap<String, long[]> recentIds = new LinkedHashMap<>();
    private final Set<Subscription> subscribers = new HashSet<>();
    private final Bucket publishRate;
    private volatile boolean isVolatile;
    private long lastSeq;
    private long lastActivity;
    /** forgotten by the broker: whoever still holds it looks the topic up again */
    private boolean retired;

    Topic(String appId, String name, boolean isVolatile, BrokerSettings settings, Clock clock, TimeMeter time,
          HistoryBudget budget, BrokerMeters meters) {
        this.appId = appId;
        this.name = name;
        this.isVolatile = isVolatile;
        this.settings = settings;
        this.clock = clock;
        this.meters = meters;
        this.history = new TopicHistory(settings.historySize(), budget);
        long perSecond = settings.publishesPerSecondPerTopic();
        this.publishRate = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(perSecond * 2).refillGreedy(perSecond, java.time.Duration.ofSeconds(1)).build())
                .withCustomTimePrecision(time).build();
        this.lastActivity = clock.millis();
    }

    boolean isVolatile() {
        return isVolatile;
    }

    void setVolatile(boolean isVolatile) {
        this.isVolatile = isVolatile;
    }

    /**
     * Sequences one event and hands it to every subscriber.
     *
     * @return null when the topic was retired meanwhile (look it up again)
     * @throws PublishRefused {@link ErrorCode#RATE_LIMITED} over the topic's rate
     */
    Published publish(String payloadJson, String id) throws PublishRefused {
        lock.lock();
        try {
            if (retired) {
                return null;
            }
            long now = clock.millis();
            forgetIdsBefore(now - settings.idempotencyWindow().toMillis());
            long[] seen = recentIds.get(id);
            if (seen != null) {
                meters.duplicates.increment();
                return new Published(name, id, seen[0], epoch, true);
            }
            if (!publishRate.tryConsume(1)) {
                meters.dropped(BrokerMeters.Drop.RATE_LIMITED);
                throw new PublishRefused(ErrorCode.RATE_LIMITED, "topic '" + name + "' takes at most "
                        + settings.publishesPerSecondPerTopic() + " events a second");
            }
            long seq = ++lastSeq;
            PublishedEvent event = new PublishedEvent(seq, id, now, WireFormat.event(name, payloadJson, id, seq, now));
            history.expire(now - settings.historyTtl().toMillis());
            history.append(event);
            recentIds.put(id, new long[] {seq, now});
            if (recentIds.size() > settings.idempotencyMaxIds()) {
                Iterator<long[]> oldest = recentIds.values().iterator();
                oldest.next();
                oldest.remove();
            }
            lastActivity = now;
            boolean volatileNow = isVolatile;
            for (Subscription s : subscribers) {
                s.connection.deliver(s, event, volatileNow);
            }
            meters.published.increment();
            return new Published(name, id, seq, epoch, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers the subscription and queues its {@code subscribed} reply, then what it missed
     * when it resumes (API.md: {@code lastSeq} with the current {@code epoch}, and every event
     * since still in the history), all before any later event.
     *
     * @return false when the topic was retired meanwhile (look it up again), or the connection closed
     */
    boolean subscribe(Subscription subscription, Long lastSeq, String clientEpoch) {
        lock.lock();
        try {
            if (retired) {
                return false;
            }
            long now = clock.millis();
            history.expire(now - settings.historyTtl().toMillis());
            List<PublishedEvent> missed = lastSeq != null && epoch.equals(clientEpoch) ? history.after(lastSeq, this.lastSeq) : null;
            boolean recovered = missed != null;
            String reply = WireFormat.subscribed(name, this.lastSeq, epoch, recovered);
            if (!subscription.connection.attach(subscription, reply, recovered ? missed : List.of(), isVolatile)) {
                return true; // the connection closed meanwhile: nothing to register, and nothing to retry
            }
            subscribers.add(subscription);
            lastActivity = now;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void unsubscribe(Subscription subscription) {
        lock.lock();
        try {
            if (subscribers.remove(subscription)) {
                lastActivity = clock.millis();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops expired history and ids; retires the topic when nobody is subscribed and nothing happened
     * for {@link BrokerSettings#topicIdleTtl()}.
     *
     * @return true when it was retired (the broker then forgets it)
     */
    boolean sweep() {
        lock.lock();
        try {
            long now = clock.millis();
            history.expire(now - settings.historyTtl().toMillis());
            forgetIdsBefore(now - settings.idempotencyWindow().toMillis());
            if (subscribers.isEmpty() && now - lastActivity >= settings.topicIdleTtl().toMillis()) {
                retired = true;
                history.clear();
                recentIds.clear();
            }
            return retired;
        } finally {
            lock.unlock();
        }
    }

    /** Retires the topic now, whoever is subscribed: the broker is shutting down. */
    void retire() {
        lock.lock();
        try {
            retired = true;
            history.clear();
            recentIds.clear();
            subscribers.clear();
        } finally {
            lock.unlock();
        }
    }

    private void forgetIdsBefore(long oldestKeptMillis) {
        for (Iterator<long[]> it = recentIds.values().iterator(); it.hasNext(); ) {
            if (it.next()[1] >= oldestKeptMillis) {
                return;
            }
            it.remove();
        }
    }

    int subscriberCount() {
        lock.lock();
        try {
            return subscribers.size();
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the subscribers, for tests and rule changes. */
    List<Subscription> subscribers() {
        lock.lock();
        try {
            return new ArrayList<>(subscribers);
        } finally {
            lock.unlock();
        }
    }

    long lastSeq() {
        lock.lock();
        try {
            return lastSeq;
        } finally {
            lock.unlock();
        }
    }

    int historySize() {
        lock.lock();
        try {
            return history.size();
        } finally {
            lock.unlock();
        }
    }
}
