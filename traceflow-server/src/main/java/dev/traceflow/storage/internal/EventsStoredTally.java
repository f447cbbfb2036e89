package dev.traceflow.storage.internal;

import dev.traceflow.core.event.EventType;
import dev.traceflow.storage.EventsStored;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Adds up the pieces of one load, skipping duplicates, into an {@link EventsStored}. Not thread-safe. */
final class EventsStoredTally {

    private final Map<String, App> apps = new LinkedHashMap<>();

    /**
     * Adds one piece's events.
     *
     * @param duplicates the load's duplicates, by position across all its pieces
     * @param offset     the position of this piece's first event in the load
     */
    void add(String appId, StoredFacts facts, BitSet duplicates, int offset) {
        App app = apps.computeIfAbsent(appId, k -> new App());
        for (int i = 0; i < facts.size(); i++) {
            if (duplicates.get(offset + i)) {
                app.duplicates++;
                continue;
            }
            int at = facts.from() + i;
            app.counts.merge(facts.types()[at], 1L, Long::sum);
            String release = facts.releases()[at];
            if (release != null) {
                app.releases.add(release);
            }
            String fingerprint = facts.fingerprints()[at];
            if (fingerprint != null) {
                long time = facts.timestamps()[at];
                app.groups.computeIfAbsent(fingerprint, f -> new Group(time)).add(time);
            }
        }
    }

    boolean isEmpty() {
        return apps.isEmpty();
    }

    EventsStored build(Instant storedAt) {
        List<EventsStored.AppEvents> out = new ArrayList<>(apps.size());
        apps.forEach((appId, app) -> {
            List<EventsStored.ErrorGroupSeen> groups = new ArrayList<>(app.groups.size());
            app.groups.forEach((fingerprint, g) -> groups.add(new EventsStored.ErrorGroupSeen(fingerprint,
                    Instant.ofEpochMilli(g.first), Instant.ofEpochMilli(g.last), g.count)));
            out.add(new EventsStored.AppEvents(appId, Map.copyOf(app.counts), app.duplicates, List.copyOf(groups),
                    Set.copyOf(app.releases)));
        });
        return new EventsStored(storedAt, List.copyOf(out));
    }

    private static final class App {
        final Map<EventType, Long> counts = new EnumMap<>(EventType.class);
        final Map<String, Group> groups = new LinkedHashMap<>();
        final Set<String> releases = new LinkedHashSet<>();
        long duplicates;
    }

    private static final class Group {
        long first;
        long last;
        long count;

        Group(long time) {
            first = time;
            last = time;
        }

        void add(long time) {
            first = Math.min(first, time);
            last = Math.max(last, time);
            count++;
        }
    }
}
