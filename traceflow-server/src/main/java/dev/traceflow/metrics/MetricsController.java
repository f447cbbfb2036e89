package dev.traceflow.metrics;

import dev.traceflow.core.query.DimensionSeries;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.MetricsOverview;
import dev.traceflow.reading.ReadParameters;
import dev.traceflow.reading.ReadRequests;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code GET /api/metrics} and {@code GET /api/metrics/overview} (API.md "Reading data"). */
@RestController
@Tag(name = "Metrics")
class MetricsController {

    private static final Set<String> SERIES_PARAMETERS = Set.of("metric", "dimension", "limit");
    private static final String METRICS = Arrays.stream(Metric.values()).map(Metric::wireName).collect(Collectors.joining(", "));
    private static final String DIMENSIONS = Arrays.stream(MetricDimension.values()).map(MetricDimension::wireName)
            .collect(Collectors.joining(", "));

    private final ReadRequests requests;
    private final EventStorage storage;

    MetricsController(ReadRequests requests, EventStorage storage) {
        this.requests = requests;
        this.storage = storage;
    }

    @GetMapping("/api/metrics")
    @Operation(summary = "One metric per time bucket, optionally broken down by a dimension",
            description = """
                    Role: viewer or above on `appId` (404 otherwise, as for an unknown app). Common parameters as in \
                    API.md "Reading data" (`from`, `to` exclusive, filters, `granularity`, `tz`; at most 10,000 buckets). \
                    `metric` (required): page_views, sessions, engaged_sessions, bounce_rate, avg_session_duration (seconds), \
                    pages_per_session, new_users, returning_users, conversions, revenue, events, visitors. \
                    Answers `{metric, granularity, series: [{ts, value, dimensionValue?}]}` with every bucket of the range, \
                    zeros included; `ts` is the bucket's start.

                    Event metrics (page_views, events, conversions = conversion and purchase events, revenue = the sum of \
                    their `properties.revenue`) count events in the bucket, filtered on each event's own dimensions. \
                    Session metrics (the others) are over sessions that start in the bucket, filtered on the session's \
                    dimensions (its first event's; `path` = entry page). bounce_rate, avg_session_duration and \
                    pages_per_session are over sessions with at least one page view (0 when there is none). visitors = \
                    distinct users (userId, else anonymousId, else the session) of those sessions. A user's first session \
                    ever is looked up over all stored history: new_users have a session in the bucket and their first \
                    session ever starts in the bucket (at or after its start, even before `from`); returning_users have one \
                    there and started before it; new + returning = visitors.

                    `dimension` (optional): path (a page view's own path for event metrics, the entry page for session \
                    metrics), device_type, traffic_source, browser, os, country (from the session's first event, for event \
                    metrics too: a page view counts for its visit's traffic source; an event in no session uses its own), \
                    event_type (metric events only), conversion_type (conversions and revenue only); another combination is \
                    a 400 naming both. With a dimension the series holds a point for every bucket and every one of the top \
                    `limit` values (1-100, default 10) seen in the range, ranked by the metric's total over the range (ratio \
                    metrics by their sessions with page views), ties by value; a missing value is `(none)`. Points are \
                    ordered by bucket, then by rank.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters(series = true, own = {"metric*: page_views, sessions, engaged_sessions, bounce_rate, avg_session_duration, "
            + "pages_per_session, new_users, returning_users, conversions, revenue, events or visitors",
            "dimension: path, device_type, traffic_source, browser, os, country, event_type or conversion_type",
            "limit: with a dimension, how many of its values, 1-100 (default 10)"})
    Map<String, Object> series(
            @Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.series(params, SERIES_PARAMETERS);
        String metricName = params.get("metric");
        if (metricName == null) {
            throw ReadRequests.invalid("metric", "metric is required: one of " + METRICS);
        }
        Metric metric = Metric.fromWireName(metricName);
        if (metric == null) {
            throw ReadRequests.invalid("metric", "metric must be one of " + METRICS);
        }
        MetricDimension dimension = null;
        if (params.containsKey("dimension")) {
            dimension = MetricDimension.fromWireName(params.get("dimension"));
            if (dimension == null) {
                throw ReadRequests.invalid("dimension", "dimension must be one of " + DIMENSIONS);
            }
            if (!metric.supports(dimension)) {
                throw ReadRequests.invalid("dimension", "metric " + metric.wireName() + " cannot be broken down by "
                        + dimension.wireName() + " (event_type goes with events only, conversion_type with conversions and revenue)");
            }
        }
        int limit = ReadRequests.integer(params, "limit", 1, DimensionSeries.MAX_LIMIT, DimensionSeries.DEFAULT_LIMIT);
        List<Map<String, Object>> series = new ArrayList<>();
        for (SeriesPoint p : storage.metrics().series(q, metric, dimension, limit)) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("ts", p.ts());
            point.put("value", metric.whole() ? (Object) Math.round(p.value()) : (Object) p.value());
            if (dimension != null) {
                point.put("dimensionValue", p.dimensionValue());
            }
            series.add(point);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("metric", metric.wireName());
        answer.put("granularity", q.granularity().wireName());
        answer.put("series", series);
        return answer;
    }

    @GetMapping("/api/metrics/overview")
    @Operation(summary = "The headline numbers of a range",
            description = """
                    Role: viewer or above on `appId` (404 otherwise). Common parameters as in API.md "Reading data" \
                    (`from`, `to` exclusive, filters). Answers `{visitors, sessions, pageViews, bounceRate (0..1), \
                    avgSessionDuration (seconds), pagesPerSession, engagedSessions, newUsers, returningUsers, conversions, \
                    revenue}`: each the metric of the same name in `GET /api/metrics` with the whole range as one bucket \
                    (newUsers: users whose first session ever starts at or after `from`).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters
    MetricsOverview overview(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        return storage.metrics().overview(requests.query(params, Set.of()));
    }
}
