package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.PerformanceDetails;
import dev.traceflow.core.event.EventDetails.ResourceDetails;
import dev.traceflow.core.event.EventDetails.ResourceTiming;
import dev.traceflow.core.event.EventDetails.WebVitalDetails;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Percentiles;
import dev.traceflow.core.query.WebVitals;
import dev.traceflow.core.storage.PerformanceQueries;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reference {@link PerformanceQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemoryPerformanceQueries implements PerformanceQueries {

    private final InMemoryStorage storage;

    InMemoryPerformanceQueries(InMemoryStorage storage) {
        this.storage = storage;
    }

    /** The query's events (range and filters), in the order stored. */
    private List<Event> events(EventQuery q) {
        return storage.eventsOf(q.appId(), q.from().toEpochMilli(), q.to().toEpochMilli()).stream()
                .filter(q.filters()::matches)
                .toList();
    }

    @Override
    public List<MetricStats> metrics(EventQuery q) {
        Map<String, List<Double>> samples = new HashMap<>();
        for (Event e : events(q)) {
            if (e.details() instanceof PerformanceDetails p && p.metrics() != null) {
                p.metrics().forEach((key, value) -> {
                    if (value != null) {
                        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                    }
                });
            }
        }
        List<MetricStats> out = new ArrayList<>();
        for (String name : METRIC_NAMES) {
            List<Double> values = samples.get(name);
            if (values != null) {
                double[] p = Percentiles.p50p75p95(toArray(values));
                out.add(new MetricStats(name, values.size(), p[0], p[1], p[2]));
            }
        }
        return out;
    }

    private record Sample(String name, String group, double value) {
    }

    @Override
    public List<VitalStats> webVitals(EventQuery q, GroupBy groupBy) {
        // (name, id) -> the last report so far; iterating in stored order, a later equal time wins
        Map<List<String>, Event> lastReports = new HashMap<>();
        List<Event> kept = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        for (Event e : events(q)) {
            String group = groupBy == null ? null : groupBy.of(e);
            switch (e.details()) {
                case WebVitalDetails w when w.id() == null -> kept.add(e);
                case WebVitalDetails w -> lastReports.merge(List.of(w.name(), w.id()), e,
                        (earlier, later) -> later.timestamp() >= earlier.timestamp() ? later : earlier);
                case PerformanceDetails p when p.metrics() != null -> p.metrics().forEach((key, value) -> {
                    String vital = WebVitals.ofPerformanceMetric(key);
                    if (vital != null && value != null) {
                        samples.add(new Sample(vital, group, value));
                    }
                });
                default -> {
                }
            }
        }
        kept.addAll(lastReports.values());
        for (Event e : kept) {
            WebVitalDetails w = (WebVitalDetails) e.details();
            samples.add(new Sample(w.name(), groupBy == null ? null : groupBy.of(e), w.value()));
        }
        Map<List<String>, List<Double>> byRow = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (WebVitals.thresholds(s.name()) != null) {
                byRow.computeIfAbsent(Arrays.asList(s.name(), s.group()), k -> new ArrayList<>()).add(s.value());
            }
        }
        List<VitalStats> out = new ArrayList<>();
        byRow.forEach((key, values) -> {
            String name = key.get(0);
            double[] p = Percentiles.p50p75p95(toArray(values));
            long[] ratings = new long[WebVitals.Rating.values().length];
            for (double v : values) {
                ratings[WebVitals.rate(name, v).ordinal()]++;
            }
            out.add(new VitalStats(name, key.get(1), values.size(), p[0], p[1], p[2], WebVitals.rate(name, p[1]),
                    ratings[WebVitals.Rating.GOOD.ordinal()], ratings[WebVitals.Rating.NEEDS_IMPROVEMENT.ordinal()],
                    ratings[WebVitals.Rating.POOR.ordinal()]));
        });
        out.sort(VitalStats.ORDER);
        return out;
    }

    @Override
    public ResourceStatsPage resources(EventQuery q, int limit) {
        Map<List<String>, List<ResourceTiming>> byResource = new LinkedHashMap<>();
        for (Event e : events(q)) {
            List<ResourceTiming> timings = switch (e.details()) {
                case ResourceDetails r -> List.of(r.timing());
                case PerformanceDetails p when p.resources() != null -> p.resources();
                default -> List.of();
            };
            for (ResourceTiming t : timings) {
                byResource.computeIfAbsent(Arrays.asList(t.name(), t.initiatorType()), k -> new ArrayList<>()).add(t);
            }
        }
        List<ResourceStats> all = new ArrayList<>();
        byResource.forEach((key, timings) -> {
            double[] p = Percentiles.p50p75p95(timings.stream().mapToDouble(ResourceTiming::duration).toArray());
            double[] sizes = timings.stream().filter(t -> t.transferSize() != null)
                    .mapToDouble(ResourceTiming::transferSize).toArray();
            Double avgSize = sizes.length == 0 ? null : Arrays.stream(sizes).sum() / sizes.length;
            all.add(new ResourceStats(key.get(0), key.get(1), timings.size(), p[0], p[1], p[2], avgSize));
        });
        all.sort(Comparator.comparingDouble(ResourceStats::p75).reversed()
                .thenComparing(Comparator.comparingLong(ResourceStats::count).reversed())
                .thenComparing(ResourceStats::name, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(ResourceStats::initiatorType, Comparator.nullsLast(Comparator.naturalOrder())));
        return new ResourceStatsPage(List.copyOf(all.subList(0, Math.min(limit, all.size()))), all.size());
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
