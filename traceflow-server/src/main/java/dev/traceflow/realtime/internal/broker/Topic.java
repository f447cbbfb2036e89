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
    /**
     * changes whenever this topic's history starts over: in memory, a new Topic object is a new epoch;
     * with a {@link TopicStore}, the store's (guarded by {@link #lock} then)
     */
    String epoch = newEpoch();

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
    /** the shared store of several instances, or null: sequenced here, in memory */
    private final TopicStore store;
    /** with a store: its state was read (epoch, seq, history) */
    private boolean loaded;

    Topic(String appId, String name, boolean isVolatile, BrokerSettings settings, Clock clock, TimeMeter time,
          HistoryBudget budget, BrokerMeters meters) {
        this(appId, name, isVolatile, settings, clock, time, budget, meters, null);
    }

    Topic(String appId, String name, boolean isVolatile, BrokerSettings settings, Clock clock, TimeMeter time,
          HistoryBudget budget, BrokerMeters meters, TopicStore store) {
        this.store = store;
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
    boolean subscribe(Subscription subscription, Long lastSeq, String clientEpoch) throws PublishRefused {
        lock.lock();
        try {
            if (retired) {
                return false;
            }
            loadLocked();
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

    static String newEpoch() {
        return Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }

    /** With a store: the publish rate of this instance's publishers (each instance counts its own). */
    void takePublishRate() throws PublishRefused {
        if (!publishRate.tryConsume(1)) {
            meters.dropped(BrokerMeters.Drop.RATE_LIMITED);
            throw new PublishRefused(ErrorCode.RATE_LIMITED, "topic '" + name + "' takes at most "
                    + settings.publishesPerSecondPerTopic() + " events a second");
        }
    }

    /**
     * With a store: its state, once, before the first subscribe or event here. Events the store sends
     * afterwards that are in it already are skipped by their seq ({@link #received}).
     */
    private void loadLocked() throws PublishRefused {
        if (store == null || loaded) {
            return;
        }
        TopicStore.State state = store.load(appId, name);
        history.clear();
        epoch = state.epoch();
        lastSeq = state.lastSeq();
        long oldest = clock.millis() - settings.historyTtl().toMillis();
        for (String json : state.history()) {
            PublishedEvent event = WireFormat.storedEvent(json);
            if (event.ts() >= oldest && event.seq() <= lastSeq) {
                history.append(event);
            }
        }
        loaded = true;
    }

    /**
     * With a store: an event sequenced by any instance, in the topic's order: kept in this instance's
     * history and handed to its subscribers, as a publish here does. Already seen (it was in the
     * loaded state): skipped. A gap (the store's messages were lost meanwhile) is filled from the
     * store's history first; another epoch (the store forgot the topic) starts the topic over.
     *
     * @return false when the topic was retired meanwhile (look it up again)
     */
    boolean received(String eventEpoch, PublishedEvent event) throws PublishRefused {
        lock.lock();
        try {
            if (retired) {
                return false;
            }
            loadLocked();
            if (!eventEpoch.equals(epoch)) {
                epoch = eventEpoch;
                history.clear();
                lastSeq = event.seq() - 1;
            }
            if (event.seq() <= lastSeq) {
                return true;
            }
            if (event.seq() > lastSeq + 1) {
                for (String json : store.historyAfter(appId, name, epoch, lastSeq)) {
                    PublishedEvent missed = WireFormat.storedEvent(json);
                    if (missed.seq() > lastSeq && missed.seq() < event.seq()) {
                        deliverLocked(missed);
                    }
                }
                lastSeq = event.seq() - 1; // beyond the store's history: lost for good, as for a client beyond it
            }
            deliverLocked(event);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * With a store: delivers what the store sequenced after this instance's last seq, in order, for
     * when its messages may have been lost without a later one showing the gap (the store's channel was
     * down, or this instance's queue of its messages overflowed). Another epoch in the store is left to
     * the next event, which starts the topic over ({@link #received}).
     */
    void catchUp() throws PublishRefused {
        lock.lock();
        try {
            if (store == null || !loaded || retired) {
                return;
            }
            TopicStore.State state = store.load(appId, name);
            if (!state.epoch().equals(epoch) || state.lastSeq() <= lastSeq) {
                return;
            }
            for (String json : state.history()) {
                PublishedEvent missed = WireFormat.storedEvent(json);
                if (missed.seq() > lastSeq && missed.seq() <= state.lastSeq()) {
                    deliverLocked(missed);
                }
            }
            lastSeq = state.lastSeq(); // beyond the store's history: lost for good, as for a client beyond it
        } finally {
            lock.unlock();
        }
    }

    private void deliverLocked(PublishedEvent event) {
        long now = clock.millis();
        history.expire(now - settings.historyTtl().toMillis());
        history.append(event);
        lastSeq = event.seq();
        lastActivity = now;
        boolean volatileNow = isVolatile;
        for (Subscription s : subscribers) {
            s.connection.deliver(s, event, volatileNow);
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
