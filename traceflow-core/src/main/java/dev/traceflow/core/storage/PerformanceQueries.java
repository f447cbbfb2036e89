package dev.traceflow.core.storage;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.WebVitals;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read capability: web vitals, navigation timings and resource timings (API.md `/api/performance*`).
 * Every method takes an {@link EventQuery} whose range is of event times, {@code [from, to)}, and
 * whose filters apply to each event's own dimensions; answers follow API.md "Meaning of the
 * numbers" exactly: percentiles are continuous with linear interpolation ({@code quantile_cont}).
 * A row with no sample is left out, never answered with zeros. Thread-safe.
 */
public interface PerformanceQueries {

    /** The metric keys of a {@code performance} event, in API.md's order: the order of {@link #metrics}. */
    List<String> METRIC_NAMES = List.of("fcp", "lcp", "fid", "inp", "cls", "ttfb", "domLoad", "load");

    /**
     * Navigation timings: one row per key of {@link #METRIC_NAMES} that at least one {@code performance}
     * event of the query carries, in that order. Each event's metric is one sample; {@code web-vital}
     * events do not count here.
     */
    List<MetricStats> metrics(EventQuery query);

    /**
     * Web vitals: one row per vital (and group) with at least one sample, ordered by vital in
     * {@link WebVitals#NAMES} order, then as {@link VitalStats#ORDER} says.
     *
     * <p>Samples: every {@code web-vital} event of the query (range and filters first), of which
     * repeated reports of one metric (same vital name and web-vitals {@code id}) keep only the last
     * (latest event time, ties by the order stored); a report without an id is a sample of its own.
     * Plus every vital among a {@code performance} event's metrics ({@code fcp} to {@code FCP}...;
     * {@code domLoad} and {@code load} are not vitals), one sample each. Ratings use
     * {@link WebVitals#rate}, not the client's {@code rating}.
     *
     * @param groupBy null for one row per vital
     */
    List<VitalStats> webVitals(EventQuery query, GroupBy groupBy);

    /**
     * Web vitals per release (what each release did to its users, issue 21 item 8): for each of
     * {@code releases}, exactly the ungrouped rows {@link #webVitals} answers for {@code query} with its
     * release filter replaced by that release. Repeated reports of one web-vitals id are therefore
     * deduplicated within a release.
     *
     * <p>The default asks {@link #webVitals} once per release; a backend that can answer every release in
     * one pass overrides it (as added later, a default keeps other backends compiling).
     *
     * @param releases the releases to answer, none null; duplicates are answered once
     * @return every asked release, in the order given, to its rows (an empty list without samples)
     */
    default Map<String, List<VitalStats>> webVitalsByRelease(EventQuery query, List<String> releases) {
        Map<String, List<VitalStats>> out = new LinkedHashMap<>();
        for (String release : releases) {
            out.computeIfAbsent(release, r -> webVitals(query.withFilters(query.filters().withRelease(r)), null));
        }
        return out;
    }

    /**
     * Resource timings: one row per resource name and initiator type, from {@code resource} events
     * and from the {@code resources} entries of {@code performance} events (each entry one sample),
     * slowest p75 first, then more samples first, then by name and initiator type.
     *
     * @param limit at most this many rows (the slowest), {@code >= 1}
     */
    ResourceStatsPage resources(EventQuery query, int limit);

    /** What {@link #webVitals} may group rows by: one of an event's own dimensions. */
    enum GroupBy {
        PATH("path", "path"), DEVICE_TYPE("deviceType", "device_type"), BROWSER("browser", "browser");

        private final String wireName;
        private final String column;

        GroupBy(String wireName, String column) {
            this.wireName = wireName;
            this.column = column;
        }

        /** As API.md spells it in {@code groupBy}. */
        public String wireName() {
            return wireName;
        }

        /** The dimension's column name, as {@link dev.traceflow.core.query.Filters#byColumn()} names it. */
        public String column() {
            return column;
        }

        /** The value for {@code groupBy=}, or null for an unknown one. */
        public static GroupBy fromWireName(String s) {
            for (GroupBy g : values()) {
                if (g.wireName.equals(s)) {
                    return g;
                }
            }
            return null;
        }

        /** This dimension of an event. */
        public String of(Event e) {
            return switch (this) {
                case PATH -> e.path();
                case DEVICE_TYPE -> e.deviceType();
                case BROWSER -> e.browser();
            };
        }
    }

    /** Percentiles of one navigation timing; milliseconds, except {@code cls} (unitless). {@code count >= 1}. */
    record MetricStats(String name, long count, double p50, double p75, double p95) {
    }

    /**
     * One vital (and group): percentiles of its samples, the rating of its p75, and how many samples
     * rate good, needs-improvement and poor (they sum to {@code count}).
     *
     * @param group the group's dimension value (null when the events lack it), always null when not grouped
     */
    record VitalStats(String name, String group, long count, double p50, double p75, double p95,
                      WebVitals.Rating rating, long good, long needsImprovement, long poor) {

        /**
         * The answer's order: vitals in {@link WebVitals#NAMES} order; within a vital, groups with
         * more samples first, then by group value, the missing value last.
         */
        public static final Comparator<VitalStats> ORDER = Comparator
                .comparingInt((VitalStats v) -> WebVitals.NAMES.indexOf(v.name()))
                .thenComparing(Comparator.comparingLong(VitalStats::count).reversed())
                .thenComparing(VitalStats::group, Comparator.nullsLast(Comparator.naturalOrder()));
    }

    /**
     * Percentiles of one resource's durations (ms).
     *
     * @param avgTransferSize the mean over the samples that carry a transfer size (bytes), null when none does
     */
    record ResourceStats(String name, String initiatorType, long count, double p50, double p75, double p95,
                         Double avgTransferSize) {
    }

    /**
     * The slowest resources.
     *
     * @param total how many resources (name and initiator type) had samples, before the limit
     */
    record ResourceStatsPage(List<ResourceStats> items, long total) {
    }
}
