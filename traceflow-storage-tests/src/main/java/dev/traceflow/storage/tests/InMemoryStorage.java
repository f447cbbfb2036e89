package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.EventCounts;
import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.MetricQueries;
import dev.traceflow.core.storage.PerformanceQueries;
import dev.traceflow.core.storage.ProductQueries;
import dev.traceflow.core.storage.ReleaseHealthQueries;
import dev.traceflow.core.storage.SessionQueries;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The reference backend (Zipkin's {@code InMemoryStorage}): events in a list, ids in a set, every
 * capability written in the most obvious way. It is what the fast backends' answers are compared
 * with, and what server tests use when the backend is not the point. Complete for the whole SPI;
 * nothing survives {@link #close()}. Thread-safe (one lock).
 *
 * <p>De-duplication is exact and unbounded: an id is remembered for as long as its event is stored.
 */
public final class InMemoryStorage implements EventStorage, EventConsumer, EventCounts {

    private final List<Event> events = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    private long position = NO_POSITION;
    private final PerformanceQueries performance = new InMemoryPerformanceQueries(this);
    private final ErrorQueries errors = new InMemoryErrorQueries(this);
    private final InMemorySessionQueries sessions = new InMemorySessionQueries(this);
    private final MetricQueries metrics = new InMemoryMetricQueries(this, sessions);
    private final ProductQueries product = new InMemoryProductQueries(this);
    private final ReleaseHealthQueries releaseHealth = new InMemoryReleaseHealthQueries(this);

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public EventConsumer consumer() {
        return this;
    }

    @Override
    public EventCounts counts() {
        return this;
    }

    @Override
    public PerformanceQueries performance() {
        return performance;
    }

    @Override
    public ErrorQueries errors() {
        return errors;
    }

    @Override
    public SessionQueries sessions() {
        return sessions;
    }

    @Override
    public MetricQueries metrics() {
        return metrics;
    }

    @Override
    public ProductQueries product() {
        return product;
    }

    @Override
    public ReleaseHealthQueries releaseHealth() {
        return releaseHealth;
    }

    /**
     * A copy of an app's events whose time is in {@code [fromMillis, toMillis)}, in the order
     * stored: what every reference query starts from.
     */
    public synchronized List<Event> eventsOf(String appId, long fromMillis, long toMillis) {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            if (e.appId().equals(appId) && e.timestamp() >= fromMillis && e.timestamp() < toMillis) {
                out.add(e);
            }
        }
        return out;
    }

    /** A copy of every stored event, in the order stored. */
    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    @Override
    public synchronized WriteResult store(List<PreparedEvents> batches, long position) {
        List<Event> all = new ArrayList<>();
        for (PreparedEvents batch : batches) {
            if (!(batch instanceof PreparedEvents.Plain plain)) {
                throw new StorageException("the in-memory store keeps events as they are; it cannot store a "
                        + batch.getClass().getSimpleName());
            }
            all.addAll(plain.events());
        }
        BitSet duplicates = new BitSet();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            String key = idKey(all.get(i));
            if (key != null && (ids.contains(key) || !seen.add(key))) {
                duplicates.set(i);
            }
        }
        int stored = 0;
        for (int i = 0; i < all.size(); i++) {
            if (!duplicates.get(i)) {
                events.add(all.get(i));
                stored++;
            }
        }
        ids.addAll(seen);
        if (position >= 0) {
            this.position = position;
        }
        return new WriteResult(stored, duplicates);
    }

    private static String idKey(Event e) {
        return e.eventId() == null ? null : e.appId() + '\u0000' + e.eventId();
    }

    @Override
    public synchronized long storedPosition() {
        return position;
    }

    @Override
    public synchronized long deleteApp(String appId) {
        return deleteWhere(e -> e.appId().equals(appId));
    }

    @Override
    public synchronized long deleteOlderThan(String appId, Instant cutoff) {
        return deleteWhere(e -> e.appId().equals(appId) && e.timestamp() < cutoff.toEpochMilli());
    }

    @Override
    public synchronized long deleteUser(String appId, String userId, String anonymousId) {
        return deleteWhere(e -> e.appId().equals(appId) && ((userId != null && userId.equals(e.userId()))
                || (anonymousId != null && anonymousId.equals(e.anonymousId()))));
    }

    private long deleteWhere(Predicate<Event> doomed) {
        long deleted = 0;
        for (var it = events.iterator(); it.hasNext(); ) {
            Event e = it.next();
            if (doomed.test(e)) {
                it.remove();
                String key = idKey(e);
                if (key != null) {
                    ids.remove(key);
                }
                deleted++;
            }
        }
        return deleted;
    }

    @Override
    public synchronized Map<String, Long> countByType(String appId, Instant from, Instant to) {
        Map<String, Long> counts = new TreeMap<>();
        for (Event e : events) {
            if (e.appId().equals(appId) && e.timestamp() >= from.toEpochMilli() && e.timestamp() < to.toEpochMilli()) {
                counts.merge(e.type().wireName(), 1L, Long::sum);
            }
        }
        return counts;
    }

    @Override
    public void check() {
        // always ready: nothing can fail but memory
    }

    @Override
    public synchronized void close() {
        events.clear();
        ids.clear();
    }
}
