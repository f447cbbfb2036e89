package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.CustomEventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.DimensionSeries;
import dev.traceflow.core.query.DimensionSeries.Cell;
import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.storage.ProductQueries;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The reference {@link ProductQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemoryProductQueries implements ProductQueries {

    private final InMemoryStorage storage;

    InMemoryProductQueries(InMemoryStorage storage) {
        this.storage = storage;
    }

    private List<Event> eventsIn(EventQuery q) {
        return storage.eventsOf(q.appId(), q.from().toEpochMilli(), q.to().toEpochMilli()).stream()
                .filter(q.filters()::matches)
                .toList();
    }

    @Override
    public List<ActiveUsers> activeUsers(EventQuery q) {
        TimeBuckets buckets = q.buckets();
        List<Set<String>> users = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
            users.add(new HashSet<>());
        }
        for (Event e : eventsIn(q)) {
            if (e.distinctUser() != null) {
                users.get(buckets.indexOf(buckets.startOf(Instant.ofEpochMilli(e.timestamp())))).add(e.distinctUser());
            }
        }
        List<ActiveUsers> out = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
            out.add(new ActiveUsers(buckets.starts().get(i), users.get(i).size()));
        }
        return out;
    }

    @Override
    public List<SeriesPoint> events(EventQuery q, EventAggregate a) {
        TimeBuckets buckets = q.buckets();
        Map<List<Object>, double[]> sums = new LinkedHashMap<>(); // numerator, denominator, events
        Map<List<Object>, Set<String>> users = new LinkedHashMap<>();
        for (Event e : eventsIn(q)) {
            if (e.type() != EventType.EVENT || !(e.details() instanceof CustomEventDetails c) || !a.name().equals(c.name())) {
                continue;
            }
            String value = a.breakdown() == null ? null
                    : e.properties().get(a.breakdown()) instanceof String s ? s : MetricDimension.NONE;
            List<Object> key = Arrays.asList(buckets.startOf(Instant.ofEpochMilli(e.timestamp())), value);
            double[] sum = sums.computeIfAbsent(key, k -> new double[3]);
            sum[2]++;
            Object property = a.property() == null ? null : e.properties().get(a.property());
            switch (a.kind()) {
                case COUNT -> sum[0]++;
                case UNIQUE_USERS -> {
                    Set<String> seen = users.computeIfAbsent(key, k -> new HashSet<>());
                    if (e.distinctUser() != null) {
                        seen.add(e.distinctUser());
                    }
                }
                case SUM, AVG -> {
                    if (property instanceof Number n) {
                        sum[0] += n.doubleValue();
                        sum[1]++;
                    }
                }
            }
        }
        List<Cell> cells = new ArrayList<>();
        sums.forEach((key, sum) -> {
            double numerator = a.kind() == EventAggregate.Kind.UNIQUE_USERS ? users.get(key).size() : sum[0];
            cells.add(new Cell((Instant) key.get(0), (String) key.get(1), numerator, sum[1], sum[2]));
        });
        List<String> values = a.breakdown() == null ? null : DimensionSeries.top(cells, a.limit());
        return DimensionSeries.assemble(buckets, values, cells, a::value);
    }
}
