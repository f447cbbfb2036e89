package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.storage.ErrorQueries;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** The reference {@link ErrorQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemoryErrorQueries implements ErrorQueries {

    private static final Comparator<ValueCount> MOST_FIRST = Comparator.comparingLong(ValueCount::count).reversed()
            .thenComparing(ValueCount::value, Comparator.nullsLast(Comparator.naturalOrder()));

    private final InMemoryStorage storage;

    InMemoryErrorQueries(InMemoryStorage storage) {
        this.storage = storage;
    }

    /** The query's error events: in range, matching the filters on their own dimensions. */
    private List<Event> errors(EventQuery q) {
        return storage.eventsOf(q.appId(), q.from().toEpochMilli(), q.to().toEpochMilli()).stream()
                .filter(e -> e.type() == EventType.ERROR && q.filters().matches(e))
                .toList();
    }

    @Override
    public List<GroupCount> groups(EventQuery q) {
        Map<String, List<Event>> byGroup = new LinkedHashMap<>();
        for (Event e : errors(q)) {
            if (e.fingerprint() != null) {
                byGroup.computeIfAbsent(e.fingerprint(), k -> new ArrayList<>()).add(e);
            }
        }
        List<GroupCount> out = new ArrayList<>();
        byGroup.forEach((fingerprint, events) -> out.add(new GroupCount(fingerprint, events.size(), users(events))));
        return out;
    }

    @Override
    public Optional<ErrorEvent> latestEvent(String appId, String fingerprint, Instant from, Instant to) {
        Event latest = null;
        for (Event e : storage.eventsOf(appId, from.toEpochMilli(), to.toEpochMilli())) {
            if (e.type() == EventType.ERROR && fingerprint.equals(e.fingerprint())
                    && (latest == null || e.timestamp() >= latest.timestamp())) {
                latest = e;
            }
        }
        return Optional.ofNullable(latest).map(InMemoryErrorQueries::errorEvent);
    }

    private static ErrorEvent errorEvent(Event e) {
        ErrorDetails d = e.details() instanceof ErrorDetails err ? err
                : new ErrorDetails(null, null, null, null, null, null, null);
        return new ErrorEvent(e.eventId(), Instant.ofEpochMilli(e.timestamp()), d.message(), d.errorType(), d.stack(),
                d.filename(), d.lineno(), d.colno(), e.url(), e.path(), e.release(), e.environment(), e.browser(), e.os(),
                e.deviceType(), e.country(), e.sessionId(), e.distinctUser(), e.properties(), e.metadata());
    }

    @Override
    public List<ValueCount> breakdown(EventQuery q, String fingerprint, Dimension dimension) {
        return counted(ofGroup(q, fingerprint), dimension::of);
    }

    @Override
    public List<Long> series(EventQuery q, String fingerprint) {
        TimeBuckets buckets = q.buckets();
        long[] counts = new long[buckets.size()];
        for (Event e : fingerprint == null ? errors(q) : ofGroup(q, fingerprint)) {
            counts[buckets.indexOf(buckets.startOf(Instant.ofEpochMilli(e.timestamp())))]++;
        }
        List<Long> out = new ArrayList<>(counts.length);
        for (long c : counts) {
            out.add(c);
        }
        return out;
    }

    @Override
    public Totals totals(EventQuery q) {
        List<Event> errors = errors(q);
        long groups = errors.stream().map(Event::fingerprint).filter(Objects::nonNull).distinct().count();
        return new Totals(errors.size(), groups, users(errors));
    }

    @Override
    public List<ValueCount> byType(EventQuery q) {
        return counted(errors(q), e -> e.details() instanceof ErrorDetails d && d.errorType() != null ? d.errorType() : UNTYPED);
    }

    private List<Event> ofGroup(EventQuery q, String fingerprint) {
        return errors(q).stream().filter(e -> fingerprint.equals(e.fingerprint())).toList();
    }

    private static long users(List<Event> events) {
        Set<String> users = new HashSet<>();
        for (Event e : events) {
            if (e.distinctUser() != null) {
                users.add(e.distinctUser());
            }
        }
        return users.size();
    }

    private static List<ValueCount> counted(List<Event> events, Function<Event, String> value) {
        Map<String, Long> counts = new HashMap<>();
        for (Event e : events) {
            counts.merge(value.apply(e), 1L, Long::sum);
        }
        List<ValueCount> out = new ArrayList<>();
        counts.forEach((v, n) -> out.add(new ValueCount(v, n)));
        out.sort(MOST_FIRST);
        return out;
    }
}
