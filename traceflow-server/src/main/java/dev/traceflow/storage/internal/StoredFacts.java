package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
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
 * fingerprint and release, and the same already added up for the whole request. The sum is made
 * on the request thread, so the loader only adds requests up, event by event only for a request
 * with duplicates or split across two transactions. Slices share the arrays.
 */
record StoredFacts(EventType[] types, long[] timestamps, String[] fingerprints, String[] releases, int from, int to,
                   Sum sum) {

    /** A request's facts added up: counts by type ordinal, releases, error groups (first, last, count). */
    record Sum(long[] counts, Set<String> releases, Map<String, long[]> groups) {
    }

    static StoredFacts of(List<Event> events) {
        int n = events.size();
        EventType[] types = new EventType[n];
        long[] timestamps = new long[n];
        String[] fingerprints = new String[n];
        String[] releases = new String[n];
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            types[i] = e.type();
            timestamps[i] = e.timestamp();
            fingerprints[i] = e.fingerprint();
            releases[i] = e.release();
        }
        StoredFacts whole = new StoredFacts(types, timestamps, fingerprints, releases, 0, n, null);
        Sum sum = new Sum(new long[EventType.values().length], new LinkedHashSet<>(), new LinkedHashMap<>());
        for (int i = 0; i < n; i++) {
            whole.addTo(sum, i);
        }
        return new StoredFacts(types, timestamps, fingerprints, releases, 0, n, sum);
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
            long[] group = into.groups().get(fingerprint);
            if (group == null) {
                into.groups().put(fingerprint, new long[]{time, time, 1});
            } else {
                group[0] = Math.min(group[0], time);
                group[1] = Math.max(group[1], time);
                group[2]++;
            }
        }
    }

    /** Events {@code from} to {@code to} of this slice, counted from its start. */
    StoredFacts slice(int sliceFrom, int sliceTo) {
        PreparedEvents.checkRange(sliceFrom, sliceTo, size());
        return new StoredFacts(types, timestamps, fingerprints, releases, from + sliceFrom, from + sliceTo, sum);
    }
}
