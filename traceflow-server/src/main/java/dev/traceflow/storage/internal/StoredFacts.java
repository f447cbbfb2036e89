package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.storage.EventsStored.SessionDimensions;
import dev.traceflow.storage.EventsStored.SessionEvent;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link dev.traceflow.storage.EventsStored} tells about one request's events, kept from
 * submit to load instead of the events themselves: per event its type, event time, error
 * fingerprint, type and message, release, a page view's path, a conversion's type and revenue, its
 * part in a session, and the same (but the sessions) already added up for the whole request. The sum is made on the request thread, so the
 * loader only adds requests up, event by event only for a request with duplicates or split across
 * two transactions. Slices share the arrays.
 */
record StoredFacts(EventType[] types, long[] timestamps, String[] fingerprints, String[] errorTypes, String[] messages,
                   String[] releases, Conversions conversions, String[] pageViewPaths, SessionEvent[] sessionEvents,
                   int from, int to, Sum sum) {

    /**
     * The conversion and purchase events' own facts, null for a request without any (most): their
     * {@code properties.conversionType} and {@code properties.revenue} (0 when absent or not a finite
     * number, as the revenue answers sum it).
     */
    record Conversions(String[] types, double[] revenues) {
    }

    /**
     * Facts added up: counts by type ordinal, releases, error groups by fingerprint, page views by
     * path, conversions by type (those with one), revenue. Mutable, owned by one request or one
     * load's app.
     */
    static final class Sum {
        final long[] counts = new long[EventType.values().length];
        final Set<String> releases = new LinkedHashSet<>();
        final Map<String, Group> groups = new LinkedHashMap<>();
        final Map<String, Long> pageViewsByPath = new HashMap<>();
        final Map<String, Long> conversionsByType = new HashMap<>();
        double revenue;

        /** Adds the facts of {@code later}, added after this one's. */
        void add(Sum later) {
            for (int t = 0; t < counts.length; t++) {
                counts[t] += later.counts[t];
            }
            releases.addAll(later.releases);
            later.groups.forEach((fingerprint, g) -> {
                Group mine = groups.get(fingerprint);
                if (mine == null) {
                    groups.put(fingerprint, g.copy());
                } else {
                    mine.add(g);
                }
            });
            later.pageViewsByPath.forEach((path, n) -> pageViewsByPath.merge(path, n, Long::sum));
            later.conversionsByType.forEach((type, n) -> conversionsByType.merge(type, n, Long::sum));
            revenue += later.revenue;
        }
    }

    /**
     * An error group's events added up: first and last event time, how many, and the errorType and
     * message of the latest (by event time; of equal times the one added last). Mutable, owned by
     * one {@link Sum}.
     */
    static final class Group {
        long first;
        long last;
        long count;
        String errorType;
        String message;

        Group(long time, String errorType, String message) {
            this.first = time;
            this.last = time;
            this.count = 1;
            this.errorType = errorType;
            this.message = message;
        }

        private Group(Group other) {
            this.first = other.first;
            this.last = other.last;
            this.count = other.count;
            this.errorType = other.errorType;
            this.message = other.message;
        }

        Group copy() {
            return new Group(this);
        }

        void add(long time, String type, String text) {
            first = Math.min(first, time);
            if (time >= last) {
                last = time;
                errorType = type;
                message = text;
            }
            count++;
        }

        /** Adds the events of {@code later}, added after this one's. */
        void add(Group later) {
            first = Math.min(first, later.first);
            if (later.last >= last) {
                last = later.last;
                errorType = later.errorType;
                message = later.message;
            }
            count += later.count;
        }
    }

    static StoredFacts of(List<Event> events) {
        int n = events.size();
        EventType[] types = new EventType[n];
        long[] timestamps = new long[n];
        String[] fingerprints = new String[n];
        String[] errorTypes = new String[n];
        String[] messages = new String[n];
        String[] releases = new String[n];
        String[] pageViewPaths = new String[n];
        Conversions conversions = null;
        SessionEvent[] sessionEvents = null;
        SessionDimensions dimensions = null;
        SessionEvent lastSessionEvent = null;
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            if (e.sessionId() != null || e.userId() != null || e.anonymousId() != null) {
                if (sessionEvents == null) {
                    sessionEvents = new SessionEvent[n];
                }
                dimensions = dimensionsOf(e, dimensions);
                sessionEvents[i] = sharing(SessionEvent.of(e, dimensions), lastSessionEvent);
                lastSessionEvent = sessionEvents[i];
            }
            types[i] = e.type();
            timestamps[i] = e.timestamp();
            fingerprints[i] = e.fingerprint();
            if (e.details() instanceof ErrorDetails error) {
                errorTypes[i] = error.errorType();
                messages[i] = error.message();
            }
            releases[i] = i == 0 ? e.release() : same(releases[i - 1], e.release());
            if (e.type() == EventType.PAGEVIEW) {
                pageViewPaths[i] = e.path();
            } else if (e.type() == EventType.CONVERSION || e.type() == EventType.PURCHASE) {
                if (conversions == null) {
                    conversions = new Conversions(new String[n], new double[n]);
                }
                Map<String, Object> properties = e.properties();
                if (properties != null) {
                    conversions.types[i] = properties.get("conversionType") instanceof String type ? type : null;
                    conversions.revenues[i] = properties.get("revenue") instanceof Number revenue
                            && Double.isFinite(revenue.doubleValue()) ? revenue.doubleValue() : 0;
                }
            }
        }
        StoredFacts whole = new StoredFacts(types, timestamps, fingerprints, errorTypes, messages, releases, conversions,
                pageViewPaths, sessionEvents, 0, n, null);
        Sum sum = new Sum();
        for (int i = 0; i < n; i++) {
            whole.addTo(sum, i);
        }
        return new StoredFacts(types, timestamps, fingerprints, errorTypes, messages, releases, conversions, pageViewPaths,
                sessionEvents, 0, n, sum);
    }

    /**
     * {@code s}, or {@code previous} when they are equal. The facts wait from the request until
     * its load (seconds), so each string they keep is copied by every young collection until then:
     * the events of a request mostly share their session, user and release, and keep one copy.
     */
    private static String same(String previous, String s) {
        return s != null && s.equals(previous) ? previous : s;
    }

    /** {@code e} with {@code previous}'s session id and user where they are equal ({@link #same}). */
    private static SessionEvent sharing(SessionEvent e, SessionEvent previous) {
        if (e == null || previous == null) {
            return e;
        }
        String sessionId = same(previous.sessionId(), e.sessionId());
        String user = same(previous.user(), e.user());
        return sessionId == e.sessionId() && user == e.user() ? e
                : new SessionEvent(sessionId, user, e.timestamp(), e.pageView(), e.conversion(), e.dimensions());
    }

    /** The event's dimensions, the previous event's object when they are the same (the events of a request mostly share them). */
    private static SessionDimensions dimensionsOf(Event e, SessionDimensions previous) {
        if (previous != null && Objects.equals(previous.deviceType(), e.deviceType())
                && Objects.equals(previous.trafficSource(), e.trafficSource()) && Objects.equals(previous.browser(), e.browser())
                && Objects.equals(previous.os(), e.os()) && Objects.equals(previous.country(), e.country())) {
            return previous;
        }
        return SessionDimensions.of(e);
    }

    int size() {
        return to - from;
    }

    /** The request's sum when this is the whole request, else null. */
    Sum wholeSum() {
        return from == 0 && to == types.length ? sum : null;
    }

    /** Adds event {@code i} of this slice (counted from its start) to {@code into}. */
    void addTo(Sum into, int i) {
        int at = from + i;
        into.counts[types[at].ordinal()]++;
        String release = releases[at];
        if (release != null) {
            into.releases.add(release);
        }
        String fingerprint = fingerprints[at];
        if (fingerprint != null) {
            long time = timestamps[at];
            Group group = into.groups.get(fingerprint);
            if (group == null) {
                into.groups.put(fingerprint, new Group(time, errorTypes[at], messages[at]));
            } else {
                group.add(time, errorTypes[at], messages[at]);
            }
        }
        String path = pageViewPaths[at];
        if (path != null) {
            into.pageViewsByPath.merge(path, 1L, Long::sum);
        }
        if (conversions != null && (types[at] == EventType.CONVERSION || types[at] == EventType.PURCHASE)) {
            String type = conversions.types[at];
            if (type != null) {
                into.conversionsByType.merge(type, 1L, Long::sum);
            }
            into.revenue += conversions.revenues[at];
        }
    }

    /** Events {@code from} to {@code to} of this slice, counted from its start. */
    StoredFacts slice(int sliceFrom, int sliceTo) {
        PreparedEvents.checkRange(sliceFrom, sliceTo, size());
        return new StoredFacts(types, timestamps, fingerprints, errorTypes, messages, releases, conversions, pageViewPaths,
                sessionEvents, from + sliceFrom, from + sliceTo, sum);
    }

    /** Adds the session events of this whole slice to {@code into}, in order. */
    void addSessionEventsTo(List<SessionEvent> into) {
        if (sessionEvents != null) {
            for (int at = from; at < to; at++) {
                if (sessionEvents[at] != null) {
                    into.add(sessionEvents[at]);
                }
            }
        }
    }

    /** Adds the session event of event {@code i} of this slice (counted from its start) to {@code into}, if it has one. */
    void addSessionEventTo(List<SessionEvent> into, int i) {
        if (sessionEvents != null && sessionEvents[from + i] != null) {
            into.add(sessionEvents[from + i]);
        }
    }
}
