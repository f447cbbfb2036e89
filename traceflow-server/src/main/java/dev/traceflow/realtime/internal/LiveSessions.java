package dev.traceflow.realtime.internal;

import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.storage.EventsStored.SessionDimensions;
import dev.traceflow.storage.EventsStored.SessionEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sessions as their events are stored, for the live metrics: forms them as {@link Sessionizer} does
 * (one per {@code sessionId}; without one, a user's events split where more than
 * {@link Sessionizer#INACTIVITY_GAP} passes between two), and tells what each load changed in the
 * count of sessions and of engaged sessions ({@link SessionSummary#engaged}), all and by the
 * session's dimensions (those of its first event by event time). So that the live increments add up
 * to the stored answers also when events come out of order, a change is told as it is: a late
 * earlier event that gives a session another first event moves it from one dimension value to the
 * other (-1, +1), and one that joins two sessions of a user takes one away. A session only ever
 * becomes engaged (a later event never makes it shorter or take a page view away), so engaged
 * sessions are told once, when it happens; whether a session bounced is not known while it may go on.
 * <p>
 * Bounded: a session is held until no event of it was stored for {@link Sessionizer#INACTIVITY_GAP}
 * (the timeout that splits sessions without an id; clients that send ids start a new one after such
 * a pause too), at most {@code maxPerApp} per app (then the one touched longest ago is dropped) and
 * {@value #MAX_PARTS_PER_USER} sessions per user without ids (then the earliest). An event of a
 * session no longer held counts as a new session: the live sums then exceed the stored answers.
 * Dropped and expired sessions are counted (meters {@code traceflow.realtime.live.sessions.*}).
 * <p>
 * Thread-safe: each app's sessions are guarded by their own lock; loads come on one thread.
 */
final class LiveSessions {

    /** sessions a user without session ids keeps held (a replay of old events can make many) */
    static final int MAX_PARTS_PER_USER = 8;
    private static final long GAP = Sessionizer.INACTIVITY_GAP.toMillis();

    private final int maxPerApp;
    private final ConcurrentHashMap<String, AppSessions> apps = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    private final Counter expired;
    private final Counter droppedFull;
    private final Counter droppedUserParts;

    LiveSessions(int maxPerApp, MeterRegistry registry) {
        if (maxPerApp < 1) {
            throw new IllegalArgumentException("TRACEFLOW_REALTIME_LIVE_SESSIONS_PER_APP must be at least 1, was " + maxPerApp);
        }
        this.maxPerApp = maxPerApp;
        Gauge.builder("traceflow.realtime.live.sessions.held", held, AtomicInteger::get)
                .description("sessions the live metrics follow, all apps").register(registry);
        this.expired = Counter.builder("traceflow.realtime.live.sessions.expired")
                .description("sessions the live metrics stopped following: no event for the inactivity gap").register(registry);
        this.droppedFull = droppedCounter(registry, "app_full");
        this.droppedUserParts = droppedCounter(registry, "user_full");
    }

    private static Counter droppedCounter(MeterRegistry registry, String reason) {
        return Counter.builder("traceflow.realtime.live.sessions.dropped").tag("reason", reason)
                .description("sessions the live metrics stopped following early; their later events count as new sessions")
                .register(registry);
    }

    /**
     * Adds one load's session events of an app, in the order stored, and tells {@code into} what they
     * changed.
     *
     * @param storedAt when the load committed: a session is held {@link Sessionizer#INACTIVITY_GAP} from then
     */
    void add(String appId, List<SessionEvent> events, Instant storedAt, SessionCounts into) {
        if (events.isEmpty()) {
            return;
        }
        AppSessions sessions = apps.computeIfAbsent(appId, id -> new AppSessions());
        synchronized (sessions) {
            long now = storedAt.toEpochMilli();
            for (SessionEvent e : events) {
                Object key = e.sessionId() != null ? e.sessionId() : new UserKey(e.user());
                Held h = sessions.byKey.get(key); // access order: the least recently touched comes first
                if (h == null) {
                    sessions.expire(now - GAP);
                    if (sessions.byKey.size() >= maxPerApp) {
                        sessions.removeEldest();
                        droppedFull.increment();
                    }
                    h = new Held();
                    sessions.byKey.put(key, h);
                    held.incrementAndGet();
                }
                h.touchedAt = now;
                add(h, e, e.sessionId() != null, into);
            }
        }
    }

    /** Forgets the sessions that no event touched for {@link Sessionizer#INACTIVITY_GAP} before {@code now}. */
    void expire(Instant now) {
        for (AppSessions sessions : apps.values()) {
            synchronized (sessions) {
                sessions.expire(now.toEpochMilli() - GAP);
            }
        }
    }

    /** Forgets every session (the live metrics stopped). */
    void clear() {
        for (AppSessions sessions : apps.values()) {
            synchronized (sessions) {
                held.addAndGet(-sessions.byKey.size());
                sessions.byKey.clear();
            }
        }
    }

    int held() {
        return held.get();
    }

    private void add(Held h, SessionEvent e, boolean byId, SessionCounts into) {
        long t = e.timestamp();
        Part joined = null;
        SessionDimensions wasDimensions = null;
        boolean wasEngaged = false;
        boolean bridged = false;
        int at = 0;
        for (int i = 0; i < h.parts.size(); i++) {
            Part p = h.parts.get(i);
            if (byId || (p.start - t <= GAP && t - p.end <= GAP)) {
                if (joined == null) {
                    joined = p;
                    wasDimensions = p.dimensions;
                    wasEngaged = p.engaged();
                } else { // the event closes the gap between two sessions of the user: they are one
                    into.add(p.dimensions, p.engaged(), -1);
                    joined.merge(p);
                    h.parts.remove(i--);
                    bridged = true;
                }
            } else if (p.start < t) {
                at = i + 1;
            }
        }
        if (joined == null) {
            joined = new Part(e);
            h.parts.add(at, joined);
            if (h.parts.size() > MAX_PARTS_PER_USER) {
                h.parts.removeFirst();
                droppedUserParts.increment();
            }
        } else {
            joined.add(e);
            // the common case: an event that changes neither the session's first event nor its engagement
            if (!bridged && joined.dimensions == wasDimensions && joined.engaged() == wasEngaged) {
                return;
            }
            into.add(wasDimensions, wasEngaged, -1);
        }
        into.add(joined.dimensions, joined.engaged(), 1);
    }

    /** Events without a session id are keyed by user; a distinct type keeps a user apart from a session id of the same text. */
    private record UserKey(String user) {
    }

    /** One session key's sessions: one for a session id, a user's in order of start. */
    private static final class Held {
        final List<Part> parts = new ArrayList<>(1);
        long touchedAt;
    }

    /** A session as far as its stored events tell. */
    private static final class Part {
        long start;
        long end;
        SessionDimensions dimensions;
        long pageViews;
        long conversions;

        Part(SessionEvent first) {
            start = first.timestamp();
            end = first.timestamp();
            dimensions = first.dimensions();
            count(first);
        }

        /** Adds an event stored after the part's: of equal times the first stored stays first. */
        void add(SessionEvent e) {
            if (e.timestamp() < start) {
                start = e.timestamp();
                dimensions = e.dimensions();
            }
            end = Math.max(end, e.timestamp());
            count(e);
        }

        void merge(Part other) {
            if (other.start < start) {
                start = other.start;
                dimensions = other.dimensions;
            }
            end = Math.max(end, other.end);
            pageViews += other.pageViews;
            conversions += other.conversions;
        }

        private void count(SessionEvent e) {
            pageViews += e.pageView() ? 1 : 0;
            conversions += e.conversion() ? 1 : 0;
        }

        boolean engaged() {
            return SessionSummary.engaged(start, end, pageViews, conversions);
        }
    }

    /** One app's held sessions, least recently touched first. Guarded by its own monitor. */
    private final class AppSessions {
        final LinkedHashMap<Object, Held> byKey = new LinkedHashMap<>(16, 0.75f, true);

        void expire(long touchedBefore) {
            for (Iterator<Map.Entry<Object, Held>> it = byKey.entrySet().iterator(); it.hasNext(); ) {
                if (it.next().getValue().touchedAt > touchedBefore) {
                    return;
                }
                it.remove();
                LiveSessions.this.held.decrementAndGet();
                expired.increment();
            }
        }

        void removeEldest() {
            Iterator<Map.Entry<Object, Held>> it = byKey.entrySet().iterator();
            it.next();
            it.remove();
            LiveSessions.this.held.decrementAndGet();
        }
    }
}
