package dev.traceflow.analytics;

import dev.traceflow.core.query.DimensionSeries;
import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.ProductQueries.ActiveUsers;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code GET /api/analytics/active-users} and {@code GET /api/analytics/events} (API.md "Reading data"). */
@RestController
@Tag(name = "Product analytics")
class AnalyticsController {

    private static final Set<String> EVENTS_PARAMETERS = Set.of("name", "aggregate", "breakdown", "limit");

    private final ReadRequests requests;
    private final EventStorage storage;

    AnalyticsController(ReadRequests requests, EventStorage storage) {
        this.requests = requests;
        this.storage = storage;
    }

    @GetMapping("/api/analytics/active-users")
    @Operation(summary = "Distinct active users per bucket: DAU, WAU, MAU",
            description = """
                    Role: viewer or above on `appId` (404 otherwise, as for an unknown app). Common parameters as in \
                    API.md "Reading data". Answers `{series: [{ts, users}]}`, every bucket of the range (zeros included): \
                    the distinct users with at least one event of any type in the bucket, the event filtered on its own \
                    dimensions. A user is the event's userId, else its anonymousId, else its sessionId; events with none \
                    are not counted. `granularity=day` gives DAU, `week` WAU (ISO weeks from Monday in `tz`), `month` MAU: \
                    calendar buckets, not rolling windows.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters(series = true)
    Map<String, Object> activeUsers(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.series(params, Set.of());
        List<Map<String, Object>> series = new ArrayList<>();
        for (ActiveUsers a : storage.product().activeUsers(q)) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("ts", a.ts());
            point.put("users", a.users());
            series.add(point);
        }
        return Map.of("series", series);
    }

    @GetMapping("/api/analytics/events")
    @Operation(summary = "Custom events of one name per bucket: count, distinct users, sum or mean of a property",
            description = """
                    Role: viewer or above on `appId` (404 otherwise). Common parameters as in API.md "Reading data". \
                    `name` (required): the custom event's name (type `event`; seed 002's typed events are stored as custom \
                    events named in snake_case, e.g. `message_sent`, with their fields as properties under their proto3 \
                    JSON names, e.g. `chatId`, `errorType`). `aggregate`: `count` (default), `unique_users` (userId, else \
                    anonymousId, else sessionId of each event), `sum:<property>` or `avg:<property>` (events where the \
                    property is missing or not a JSON number are left out; the mean of none is 0). `breakdown=<property>` \
                    (optional): a point per bucket and per each of the top `limit` (1-100, default 10) string values of the \
                    property in the range, ranked by number of events, ties by value; events where it is missing or not a \
                    string count as `(none)`. Property names are 1-64 of `A-Z a-z 0-9 _ $ -`. Answers \
                    `{series: [{ts, value, breakdownValue?}]}`, every bucket listed, zeros included, ordered by bucket \
                    then rank.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters(series = true, own = {"name*: the custom event's name, e.g. `message_sent`",
            "aggregate: `count` (default), `unique_users`, `sum:<property>` or `avg:<property>`",
            "breakdown: a property whose string values split the series", "limit: with a breakdown, how many values, 1-100 (default 10)"})
    Map<String, Object> events(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.series(params, EVENTS_PARAMETERS);
        String name = ReadRequests.value(params, "name");
        if (name == null || name.isBlank()) {
            throw ReadRequests.invalid("name", "name (the custom event's name) is required");
        }
        int limit = ReadRequests.integer(params, "limit", 1, DimensionSeries.MAX_LIMIT, DimensionSeries.DEFAULT_LIMIT);
        String breakdown = params.get("breakdown");
        if (breakdown != null && !EventAggregate.PROPERTY_NAME.matcher(breakdown).matches()) {
            throw ReadRequests.invalid("breakdown", "breakdown is a property name: 1 to 64 of A-Z a-z 0-9 _ $ -");
        }
        EventAggregate aggregate;
        try {
            aggregate = EventAggregate.parse(name, params.get("aggregate"), breakdown, limit);
        } catch (IllegalArgumentException e) {
            throw ReadRequests.invalid("aggregate", e.getMessage());
        }
        boolean whole = aggregate.kind() == EventAggregate.Kind.COUNT || aggregate.kind() == EventAggregate.Kind.UNIQUE_USERS;
        List<Map<String, Object>> series = new ArrayList<>();
        for (SeriesPoint p : storage.product().events(q, aggregate)) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("ts", p.ts());
            point.put("value", whole ? (Object) Math.round(p.value()) : (Object) p.value());
            if (breakdown != null) {
                point.put("breakdownValue", p.dimensionValue());
            }
            series.add(point);
        }
        return Map.of("series", series);
    }
}
