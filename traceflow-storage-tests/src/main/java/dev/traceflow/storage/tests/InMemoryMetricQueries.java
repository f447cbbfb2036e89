package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.DimensionSeries;
import dev.traceflow.core.query.DimensionSeries.Cell;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.storage.MetricQueries;
import dev.traceflow.core.storage.MetricsOverview;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The reference {@link MetricQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemoryMetricQueries implements MetricQueries {

    private final InMemoryStorage storage;
    private final InMemorySessionQueries sessions;

    InMemoryMetricQueries(InMemoryStorage storage, InMemorySessionQueries sessions) {
        this.storage = storage;
        this.sessions = sessions;
    }

    @Override
    public List<SeriesPoint> series(EventQuery q, Metric metric, MetricDimension dimension, int limit) {
        if (!metric.supports(dimension)) {
            throw new IllegalArgumentException("metric " + metric.wireName() + " cannot be broken down by " + dimension.wireName());
        }
        TimeBuckets buckets = q.buckets();
        List<Cell> cells = metric.sessionMetric() ? sessionCells(q, buckets, metric, dimension) : eventCells(q, buckets, metric, dimension);
        List<String> values = dimension == null ? null : DimensionSeries.top(cells, limit);
        return DimensionSeries.assemble(buckets, values, cells, metric::value);
    }

    private List<Cell> sessionCells(EventQuery q, TimeBuckets buckets, Metric metric, MetricDimension dimension) {
        Map<String, Long> firstStarts = metric == Metric.NEW_USERS || metric == Metric.RETURNING_USERS ? firstSessionStarts(q) : Map.of();
        // (bucket, dimension value) -> numerator, denominator; or the distinct users counted
        Map<List<Object>, double[]> sums = new LinkedHashMap<>();
        Map<List<Object>, Set<String>> users = new LinkedHashMap<>();
        for (SessionSummary s : sessions.summaries(q)) {
            Instant bucket = buckets.startOf(Instant.ofEpochMilli(s.start()));
            List<Object> key = Arrays.asList(bucket, dimensionValue(s, dimension));
            boolean viewed = s.pageViews() >= 1;
            double[] nd = sums.computeIfAbsent(key, k -> new double[2]);
            switch (metric) {
                case SESSIONS -> nd[0]++;
                case ENGAGED_SESSIONS -> nd[0] += s.engaged() ? 1 : 0;
                case BOUNCE_RATE -> add(nd, viewed, s.bounced() ? 1 : 0);
                case AVG_SESSION_DURATION -> add(nd, viewed, s.end() - s.start());
                case PAGES_PER_SESSION -> add(nd, viewed, s.pageViews());
                case VISITORS -> users.computeIfAbsent(key, k -> new HashSet<>()).add(s.user());
                case NEW_USERS, RETURNING_USERS -> {
                    Long first = firstStarts.get(s.user());
                    // new: the first session ever starts in this bucket (API.md); else returning. Not
                    // "first >= the bucket's start": where a zone turns its clocks back across a bucket's
                    // start, a first session in the later bucket can precede a session of the repeated one
                    boolean isNew = first == null || buckets.startOf(Instant.ofEpochMilli(first)).equals(bucket);
                    if (isNew == (metric == Metric.NEW_USERS)) {
                        users.computeIfAbsent(key, k -> new HashSet<>()).add(s.user());
                    }
                }
                default -> throw new IllegalArgumentException("not a session metric: " + metric);
            }
        }
        List<Cell> cells = new ArrayList<>();
        sums.forEach((key, nd) -> {
            double numerator = countsUsers(metric) ? users.getOrDefault(key, Set.of()).size() : nd[0];
            double weight = metric.ratio() ? nd[1] : numerator;
            cells.add(new Cell((Instant) key.get(0), (String) key.get(1), numerator, nd[1], weight));
        });
        return cells;
    }

    private static boolean countsUsers(Metric m) {
        return m == Metric.VISITORS || m == Metric.NEW_USERS || m == Metric.RETURNING_USERS;
    }

    /** Adds to a ratio over sessions with page views. */
    private static void add(double[] nd, boolean viewed, double numerator) {
        if (viewed) {
            nd[0] += numerator;
            nd[1]++;
        }
    }

    private static String dimensionValue(SessionSummary s, MetricDimension d) {
        if (d == null) {
            return null;
        }
        String v = switch (d) {
            case PATH -> s.entryPage();
            case DEVICE_TYPE -> s.deviceType();
            case TRAFFIC_SOURCE -> s.trafficSource();
            case BROWSER -> s.browser();
            case OS -> s.os();
            case COUNTRY -> s.country();
            default -> throw new IllegalArgumentException("not a session dimension: " + d);
        };
        return v == null ? MetricDimension.NONE : v;
    }

    private List<Cell> eventCells(EventQuery q, TimeBuckets buckets, Metric metric, MetricDimension dimension) {
        Map<Event, SessionSummary> sessionOf = dimension != null && dimension.fromSession() ? sessionsByEvent(q) : Map.of();
        Map<List<Object>, Double> sums = new LinkedHashMap<>();
        for (Event e : eventsIn(q)) {
            if (!counts(metric, e)) {
                continue;
            }
            Instant bucket = buckets.startOf(Instant.ofEpochMilli(e.timestamp()));
            double amount = metric == Metric.REVENUE ? Sessionizer.revenue(e) : 1;
            sums.merge(Arrays.asList(bucket, dimensionValue(e, sessionOf.get(e), dimension)), amount, Double::sum);
        }
        List<Cell> cells = new ArrayList<>();
        sums.forEach((key, n) -> cells.add(new Cell((Instant) key.get(0), (String) key.get(1), n, 0, n)));
        return cells;
    }

    private static boolean counts(Metric metric, Event e) {
        return switch (metric) {
            case PAGE_VIEWS -> e.type() == EventType.PAGEVIEW;
            case CONVERSIONS, REVENUE -> Sessionizer.isConversion(e);
            case EVENTS -> true;
            default -> throw new IllegalArgumentException("not an event metric: " + metric);
        };
    }

    private static String dimensionValue(Event e, SessionSummary session, MetricDimension d) {
        if (d == null) {
            return null;
        }
        String v = switch (d) {
            case PATH -> e.path();
            case EVENT_TYPE -> e.type().wireName();
            case CONVERSION_TYPE -> e.properties().get("conversionType") instanceof String s ? s : null;
            case DEVICE_TYPE -> session != null ? session.deviceType() : e.deviceType();
            case TRAFFIC_SOURCE -> session != null ? session.trafficSource() : e.trafficSource();
            case BROWSER -> session != null ? session.browser() : e.browser();
            case OS -> session != null ? session.os() : e.os();
            case COUNTRY -> session != null ? session.country() : e.country();
        };
        return v == null ? MetricDimension.NONE : v;
    }

    /** The query's events (range, filters on their own dimensions). */
    private List<Event> eventsIn(EventQuery q) {
        return storage.eventsOf(q.appId(), q.from().toEpochMilli(), q.to().toEpochMilli()).stream()
                .filter(q.filters()::matches)
                .toList();
    }

    /** Every event of the sessions formed over the query's window, with its session. */
    private Map<Event, SessionSummary> sessionsByEvent(EventQuery q) {
        long from = q.from().minus(Sessionizer.HORIZON).toEpochMilli();
        long to = q.to().plus(Sessionizer.HORIZON).toEpochMilli();
        Map<Event, SessionSummary> map = new IdentityHashMap<>();
        for (Sessionizer.Session s : Sessionizer.sessions(storage.eventsOf(q.appId(), from, to))) {
            for (Event e : s.events()) {
                map.put(e, s.summary());
            }
        }
        return map;
    }

    /** Each user's first session ever: sessions over all the app's history up to the window's end, uncut. */
    private Map<String, Long> firstSessionStarts(EventQuery q) {
        long to = q.to().plus(Sessionizer.HORIZON).toEpochMilli();
        Map<String, Long> first = new HashMap<>();
        for (Sessionizer.Session s : Sessionizer.sessions(storage.eventsOf(q.appId(), Long.MIN_VALUE, to))) {
            first.merge(s.summary().user(), s.summary().start(), Math::min);
        }
        return first;
    }

    @Override
    public MetricsOverview overview(EventQuery q) {
        List<SessionSummary> list = sessions.summaries(q);
        Map<String, Long> firstStarts = firstSessionStarts(q);
        Set<String> visitors = new HashSet<>();
        Set<String> newUsers = new HashSet<>();
        long engaged = 0;
        long viewed = 0;
        long bounced = 0;
        long durationMillis = 0;
        long viewsInViewed = 0;
        for (SessionSummary s : list) {
            visitors.add(s.user());
            Long first = firstStarts.get(s.user());
            if (first == null || first >= q.from().toEpochMilli()) {
                newUsers.add(s.user());
            }
            engaged += s.engaged() ? 1 : 0;
            if (s.pageViews() >= 1) {
                viewed++;
                bounced += s.bounced() ? 1 : 0;
                durationMillis += s.end() - s.start();
                viewsInViewed += s.pageViews();
            }
        }
        long pageViews = 0;
        long conversions = 0;
        double revenue = 0;
        for (Event e : eventsIn(q)) {
            if (e.type() == EventType.PAGEVIEW) {
                pageViews++;
            }
            if (Sessionizer.isConversion(e)) {
                conversions++;
                revenue += Sessionizer.revenue(e);
            }
        }
        return new MetricsOverview(visitors.size(), list.size(), pageViews, Metric.BOUNCE_RATE.value(bounced, viewed),
                Metric.AVG_SESSION_DURATION.value(durationMillis, viewed), Metric.PAGES_PER_SESSION.value(viewsInViewed, viewed),
                engaged, newUsers.size(), visitors.size() - newUsers.size(), conversions, revenue);
    }
}
