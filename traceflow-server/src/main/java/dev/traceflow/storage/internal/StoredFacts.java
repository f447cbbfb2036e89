package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.PreparedEvents;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link dev.traceflow.storage.EventsStored} tells about one request's events, kept from
 * submit to load instead of the events themselves: per event its type, event time, error
 * fingerprint, type and message, and release, and the same already added up for the whole request. The sum is made
 * on the request thread, so the loader only adds requests up, event by event only for a request
 * with duplicates or split across two transactions. Slices share the arrays.
 */
record StoredFacts(EventType[] types, long[] timestamps, String[] fingerprints, String[] errorTypes, String[] messages,
                   String[] releases, int from, int to, Sum sum) {

    /** A request's facts added up: counts by type ordinal, releases, error groups by fingerprint. */
    record Sum(long[] counts, Set<String> releases, Map<String, Group> groups) {
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
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            types[i] = e.type();
            timestamps[i] = e.timestamp();
            fingerprints[i] = e.fingerprint();
            if (e.details() instanceof ErrorDetails error) {
                errorTypes[i] = error.errorType();
                messages[i] = error.message();
            }
            releases[i] = e.release();
        }
        StoredFacts whole = new StoredFacts(types, timestamps, fingerprints, errorTypes, messages, releases, 0, n, null);
        Sum sum = new Sum(new long[EventType.values().length], new LinkedHashSet<>(), new LinkedHashMap<>());
        for (int i = 0; i < n; i++) {
            whole.addTo(sum, i);
        }
        return new StoredFacts(types, timestamps, fingerprints, errorTypes, messages, releases, 0, n, sum);
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
        into.counts()[types[at].ordinal()]++;
        String release = releases[at];
        if (release != null) {
            into.releases().add(release);
        }
        String fingerprint = fingerprints[at];
        if (fingerprint != null) {
            long time = timestamps[at];
            Group group = into.groups().get(fingerprint);
            if (group == null) {
                into.groups().put(fingerprint, new Group(time, errorTypes[at], messages[at]));
            } else {
                group.add(time, errorTypes[at], messages[at]);
            }
        }
    }

    /** Events {@code from} to {@code to} of this slice, counted from its start. */
    StoredFacts slice(int sliceFrom, int sliceTo) {
        PreparedEvents.checkRange(sliceFrom, sliceTo, size());
        return new StoredFacts(types, timestamps, fingerprints, errorTypes, messages, releases, from + sliceFrom, from + sliceTo,
                sum);
    }
}
