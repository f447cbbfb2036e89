package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.PreparedEvents;

import java.util.List;

/**
 * What {@link dev.traceflow.storage.EventsStored} tells about one request's events, kept from
 * submit to load instead of the events themselves: type, event time, error fingerprint, release.
 * Slices share the arrays.
 */
record StoredFacts(EventType[] types, long[] timestamps, String[] fingerprints, String[] releases, int from, int to) {

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
        return new StoredFacts(types, timestamps, fingerprints, releases, 0, n);
    }

    int size() {
        return to - from;
    }

    /** Events {@code from} to {@code to} of this slice, counted from its start. */
    StoredFacts slice(int sliceFrom, int sliceTo) {
        PreparedEvents.checkRange(sliceFrom, sliceTo, size());
        return new StoredFacts(types, timestamps, fingerprints, releases, from + sliceFrom, from + sliceTo);
    }
}
