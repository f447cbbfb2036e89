package dev.traceflow.storage.internal;

import dev.traceflow.core.event.EventType;
import dev.traceflow.storage.EventsStored;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Adds up the pieces of one load, skipping duplicates, into an {@link EventsStored}. Not thread-safe. */
final class EventsStoredTally {

    private static final EventType[] TYPES = EventType.values();

    private final Map<String, App> apps = new LinkedHashMap<>();

    /**
     * Adds one piece's events.
     *
     * @param duplicates the load's duplicates, by position across all its pieces
     * @param offset     the position of this piece's first event in the load
     */
    void add(String appId, StoredFacts facts, BitSet duplicates, int offset) {
        App app = apps.computeIfAbsent(appId, k -> new App());
        int end = offset + facts.size();
        int firstDuplicate = duplicates.nextSetBit(offset);
        boolean noDuplicates = firstDuplicate < 0 || firstDuplicate >= end;
        StoredFacts.Sum whole = facts.wholeSum();
        if (whole != null && noDuplicates) {
            app.add(whole); // the common case: one merge per request, summed on its request thread
            facts.addSessionEventsTo(app.sessionEvents);
            return;
        }
        for (int i = 0; i < facts.size(); i++) {
            if (duplicates.get(offset + i)) {
                app.duplicates++;
            } else {
                facts.addTo(app.sum, i);
                facts.addSessionEventTo(app.sessionEvents, i);
            }
        }
    }

    EventsStored build(Instant storedAt) {
        List<EventsStored.AppEvents> out = new ArrayList<>(apps.size());
        apps.forEach((appId, app) -> {
            Map<EventType, Long> counts = new EnumMap<>(EventType.class);
            for (int t = 0; t < TYPES.length; t++) {
                if (app.sum.counts[t] > 0) {
                    counts.put(TYPES[t], app.sum.counts[t]);
                }
            }
            List<EventsStored.ErrorGroupSeen> groups = new ArrayList<>(app.sum.groups.size());
            app.sum.groups.forEach((fingerprint, g) -> groups.add(new EventsStored.ErrorGroupSeen(fingerprint,
                    Instant.ofEpochMilli(g.first), Instant.ofEpochMilli(g.last), g.count, g.errorType, g.message)));
            out.add(new EventsStored.AppEvents(appId, Map.copyOf(counts), app.duplicates, List.copyOf(groups),
                    Set.copyOf(app.sum.releases), new EventsStored.Breakdown(Map.copyOf(app.sum.pageViewsByPath),
                    Map.copyOf(app.sum.conversionsByType), app.sum.revenue), List.copyOf(app.sessionEvents)));
        });
        return new EventsStored(storedAt, List.copyOf(out));
    }

    private static final class App {
        final StoredFacts.Sum sum = new StoredFacts.Sum();
        final List<EventsStored.SessionEvent> sessionEvents = new ArrayList<>();
        long duplicates;

        void add(StoredFacts.Sum request) {
            sum.add(request);
        }
    }
}
