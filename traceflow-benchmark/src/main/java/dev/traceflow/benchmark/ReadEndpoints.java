package dev.traceflow.benchmark;

import dev.traceflow.core.query.DimensionSeries;
import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.PerformanceQueries.GroupBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer endpoints the query benchmark times, each with the storage calls its controller makes
 * (read from the controllers in traceflow-server: {@code PerformanceController},
 * {@code ErrorsController}, {@code MetricsController}, {@code AnalyticsController}, {@code SessionsController},
 * {@code UserBehaviorController}).
 */
final class ReadEndpoints {

    /** Issue 16: "percentile and overview queries under 100 ms". */
    static final double PERCENTILE_TARGET_MS = 100;
    /** Issue 16: "p95 under 300 ms for every endpoint". */
    static final double ENDPOINT_TARGET_MS = 300;
    /** The server's default of {@code /api/performance/resources}' {@code limit}. */
    static final int RESOURCES_LIMIT = 1000;

    static final List<String> EVENT_METRICS = List.of("page_views", "events", "conversions", "revenue");
    static final List<String> SESSION_METRICS = List.of("sessions", "bounce_rate", "new_users", "visitors",
            "avg_session_duration", "pages_per_session", "engaged_sessions", "returning_users");
    static final List<String> DIMENSIONS = List.of("browser", "path", "device_type", "traffic_source", "country");
    static final List<String> GROUP_BYS = List.of("path", "deviceType", "browser");
    static final List<String> ERROR_SORTS = List.of("count", "lastSeen", "firstSeen");
    static final List<String> EVENT_AGGREGATES = List.of("count", "unique_users", "sum:size", "avg:size");
    /** The custom event of seed 002 the generated dataset carries, with {@code type} and {@code size}. */
    static final String CUSTOM_EVENT = "message_sent";
    /** The defaults of {@code /api/sessions}' and {@code /api/user-behavior/paths}' {@code limit}. */
    static final int SESSIONS_LIMIT = 25;
    static final int TRANSITIONS_LIMIT = 100;
    static final List<String> HEATMAP_PATHS = List.of("/pricing", "/", "/checkout", "/home");

    private ReadEndpoints() {
    }

    static List<ReadEndpoint> all() {
        List<ReadEndpoint> all = new ArrayList<>();
        all.add(new ReadEndpoint("/api/performance", "/api/performance", false, PERCENTILE_TARGET_MS,
                v -> Map.of(), (s, v, e) -> s.performance().metrics(v.query(false))));
        all.add(new ReadEndpoint("/api/performance/web-vitals", "/api/performance/web-vitals", false, PERCENTILE_TARGET_MS,
                v -> v.broken() ? Map.of("groupBy", pair(v, GROUP_BYS)) : Map.of(),
                (s, v, e) -> s.performance().webVitals(v.query(false), v.broken() ? GroupBy.fromWireName(pair(v, GROUP_BYS)) : null)));
        all.add(new ReadEndpoint("/api/performance/resources", "/api/performance/resources", false, PERCENTILE_TARGET_MS,
                v -> Map.of(), (s, v, e) -> s.performance().resources(v.query(false), RESOURCES_LIMIT)));
        all.add(new ReadEndpoint("/api/errors", "/api/errors", false, ENDPOINT_TARGET_MS,
                v -> Map.of("sort", v.pick(ERROR_SORTS)), (s, v, e) -> s.errors().groups(v.query(false))));
        all.add(new ReadEndpoint("/api/errors/{id}", "/api/errors/{id}", true, ENDPOINT_TARGET_MS,
                v -> Map.of(), ReadEndpoints::errorDetail));
        all.add(new ReadEndpoint("/api/errors/stats", "/api/errors/stats", true, ENDPOINT_TARGET_MS,
                v -> Map.of(), (s, v, e) -> s.errors().stats(v.query(true))));
        all.add(metrics("/api/metrics (event metrics)", EVENT_METRICS));
        all.add(metrics("/api/metrics (session metrics)", SESSION_METRICS));
        all.add(new ReadEndpoint("/api/metrics/overview", "/api/metrics/overview", false, PERCENTILE_TARGET_MS,
                v -> Map.of(), (s, v, e) -> s.metrics().overview(v.query(false))));
        all.add(new ReadEndpoint("/api/analytics/active-users", "/api/analytics/active-users", true, ENDPOINT_TARGET_MS,
                v -> Map.of(), (s, v, e) -> s.product().activeUsers(v.query(true))));
        all.add(new ReadEndpoint("/api/analytics/events", "/api/analytics/events", true, ENDPOINT_TARGET_MS,
                ReadEndpoints::eventParams, (s, v, e) -> s.product().events(v.query(true), EventAggregate.parse(CUSTOM_EVENT,
                        pair(v, EVENT_AGGREGATES), v.broken() ? "type" : null, DimensionSeries.DEFAULT_LIMIT))));
        all.add(new ReadEndpoint("/api/sessions", "/api/sessions", false, ENDPOINT_TARGET_MS,
                v -> Map.of(), (s, v, e) -> s.sessions().newestFirst(v.query(false), null, SESSIONS_LIMIT)));
        all.add(new ReadEndpoint("/api/sessions/{id}", "/api/sessions/{id}", false, ENDPOINT_TARGET_MS,
                v -> Map.of(), (s, v, e) -> s.sessions().session(v.query(false), e.sessionId(v))
                        .orElseThrow(() -> new IllegalStateException("session " + e.sessionId(v) + " not found"))));
        all.add(new ReadEndpoint("/api/user-behavior/paths", "/api/user-behavior/paths", false, ENDPOINT_TARGET_MS,
                v -> Map.of(), (s, v, e) -> s.sessions().transitions(v.query(false), TRANSITIONS_LIMIT)));
        all.add(new ReadEndpoint("/api/user-behavior/heatmap", "/api/user-behavior/heatmap", false, ENDPOINT_TARGET_MS,
                v -> Map.of("path", heatmapPath(v)),
                (s, v, e) -> s.sessions().heatmap(v.withFilter("path", heatmapPath(v)).query(false), heatmapPath(v))));
        return List.copyOf(all);
    }

    /** The heatmap's page: the variation's {@code path} filter, else one of the dataset's pages. */
    static String heatmapPath(QueryVariation v) {
        return v.filters().getOrDefault("path", pair(v, HEATMAP_PATHS));
    }

    /**
     * For each variation, a session that starts in its range and matches its filters, as the
     * sessions list finds it: the session detail asks for it (a filtered-out session is a 404).
     * The session starts at least {@code margin} before the range's end, so that a warm-up pass's
     * variation of the same index, whose range ends up to {@code margin} earlier, holds it too (the
     * newest sessions of the range would otherwise start after that range and answer 404).
     */
    static Map<Integer, String> sessionIds(EventStorage storage, List<QueryVariation> variations, Duration margin) {
        Map<Integer, String> ids = new LinkedHashMap<>();
        for (QueryVariation v : variations) {
            QueryVariation inEveryPass = v.endingEarlier(margin);
            var items = storage.sessions().newestFirst(inEveryPass.query(false), null, SESSIONS_LIMIT).items();
            if (items.isEmpty()) {
                throw new IllegalStateException("no session matches variation " + v.label(false));
            }
            ids.put(v.index(), items.get(v.index() % items.size()).id());
        }
        return ids;
    }

    /**
     * The option for the pair of variations {@code 2k, 2k + 1}: one without and one with a
     * breakdown, so every option is timed both ways.
     */
    static String pair(QueryVariation v, List<String> options) {
        return options.get((v.index() / 2) % options.size());
    }

    private static ReadEndpoint metrics(String name, List<String> metrics) {
        return new ReadEndpoint(name, "/api/metrics", true, ENDPOINT_TARGET_MS,
                v -> {
                    Map<String, String> own = new LinkedHashMap<>();
                    own.put("metric", pair(v, metrics));
                    if (v.broken()) {
                        own.put("dimension", v.pick(DIMENSIONS));
                    }
                    return own;
                },
                (s, v, e) -> s.metrics().series(v.query(true), Metric.fromWireName(pair(v, metrics)),
                        v.broken() ? MetricDimension.fromWireName(v.pick(DIMENSIONS)) : null, DimensionSeries.DEFAULT_LIMIT));
    }

    private static Map<String, String> eventParams(QueryVariation v) {
        Map<String, String> own = new LinkedHashMap<>();
        own.put("name", CUSTOM_EVENT);
        own.put("aggregate", pair(v, EVENT_AGGREGATES));
        if (v.broken()) {
            own.put("breakdown", "type");
        }
        return own;
    }

    /** {@code ErrorsController.detail}: the group's counts, breakdowns and series, and its latest event. */
    private static Object errorDetail(EventStorage s, QueryVariation v, KnownIds errors) {
        ErrorQueries queries = s.errors();
        String fingerprint = errors.fingerprint(v);
        return List.of(queries.groupDetail(v.query(true), fingerprint),
                queries.latestEvent(v.appId(), fingerprint, errors.firstSeen(), errors.lastSeen().plusMillis(1)));
    }
}
