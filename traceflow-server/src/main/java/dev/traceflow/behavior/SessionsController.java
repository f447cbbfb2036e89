package dev.traceflow.behavior;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.SessionDetail;
import dev.traceflow.core.storage.SessionPage;
import dev.traceflow.core.storage.SessionPosition;
import dev.traceflow.core.storage.StoredEvent;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.RequestTimes;
import dev.traceflow.reading.PageCursors;
import dev.traceflow.reading.ReadRequests;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.Parameters;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code GET /api/sessions} and {@code GET /api/sessions/{id}} (API.md "Reading data"). */
@RestController
@Tag(name = "User behaviour")
class SessionsController {

    static final int DEFAULT_LIMIT = 25;
    static final int MAX_LIMIT = 100;
    /** How far back the detail looks for a session when {@code from} is not given. */
    static final Duration DETAIL_DEFAULT_RANGE = Duration.ofDays(7);
    private static final int MAX_ID_LENGTH = ReadRequests.MAX_VALUE_LENGTH;

    private final ReadRequests requests;
    private final PageCursors cursors;
    private final EventStorage storage;
    private final Clock clock;

    SessionsController(ReadRequests requests, PageCursors cursors, EventStorage storage, Clock clock) {
        this.requests = requests;
        this.cursors = cursors;
        this.storage = storage;
        this.clock = clock;
    }

    /** One page of sessions; {@code nextCursor} is null on the last page. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Page(List<SessionView> items,
                       @Schema(description = "Sessions of the query over all pages") long total,
                       @Schema(description = "Pass as `cursor` for the next page; null on the last page") String nextCursor) {
    }

    @GetMapping("/api/sessions")
    @Operation(summary = "Sessions that start in the range, newest first, a page at a time",
            description = "Role: viewer or above on `appId` (404 otherwise, as for an unknown app). A session belongs "
                    + "to the range in which it starts (API.md \"Meaning of the numbers\"); its events are gathered from "
                    + "24 h before to 24 h after the range. Order: newest start first, sessions starting at the same "
                    + "millisecond by id descending, so paging never repeats or skips one. `limit` 1-100 (default 25); "
                    + "`nextCursor` continues the list (signed: an edited cursor, or one from before a server restart, is "
                    + "400 INVALID_PARAMETER). `total` counts every session of the query. Give `from` and `to` explicitly "
                    + "when paging, or a moving `to` (now) lets new sessions in at the top." + QueryParameters.SESSION_FILTERS,
            security = @SecurityRequirement(name = "BearerAuth"))
    @Parameters({
            @Parameter(name = "appId", in = ParameterIn.QUERY, required = true, description = QueryParameters.APP_ID),
            @Parameter(name = "from", in = ParameterIn.QUERY, description = QueryParameters.FROM),
            @Parameter(name = "to", in = ParameterIn.QUERY, description = QueryParameters.TO),
            @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Sessions per page, 1-100 (default 25)"),
            @Parameter(name = "cursor", in = ParameterIn.QUERY, description = "`nextCursor` of the previous page"),
            @Parameter(name = "release", in = ParameterIn.QUERY, description = QueryParameters.RELEASE),
            @Parameter(name = "environment", in = ParameterIn.QUERY, description = QueryParameters.ENVIRONMENT),
            @Parameter(name = "path", in = ParameterIn.QUERY, description = QueryParameters.PATH_SESSION),
            @Parameter(name = "browser", in = ParameterIn.QUERY, description = QueryParameters.BROWSER),
            @Parameter(name = "os", in = ParameterIn.QUERY, description = QueryParameters.OS),
            @Parameter(name = "deviceType", in = ParameterIn.QUERY, description = QueryParameters.DEVICE_TYPE),
            @Parameter(name = "country", in = ParameterIn.QUERY, description = QueryParameters.COUNTRY),
            @Parameter(name = "fresh", in = ParameterIn.QUERY, description = QueryParameters.FRESH)})
    Page list(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.query(params, Set.of("limit", "cursor"));
        int limit = ReadRequests.integer(params, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        SessionPosition after = params.containsKey("cursor") ? position(cursors.decode(params.get("cursor"))) : null;
        SessionPage page = storage.sessions().newestFirst(q, after, limit);
        SessionPosition next = page.next();
        return new Page(page.items().stream().map(SessionView::of).toList(), page.total(),
                next == null ? null : cursors.encode(next.start() + ":" + next.id()));
    }

    private static SessionPosition position(String text) {
        int colon = text.indexOf(':');
        try {
            return new SessionPosition(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
        } catch (RuntimeException e) {
            // signed by us, so only a change of format between versions gets here
            throw ReadRequests.invalid("cursor", "cursor is not a sessions cursor: start the list again without it");
        }
    }

    /** A session and its timeline. */
    record SessionWithEvents(SessionView session,
                             @Schema(description = "Every event of the session in time order (equal times in the order "
                                     + "stored): type, timestamp, eventId, path, url, title, referrer when present, the "
                                     + "type's own fields as clients send them, and properties") List<Map<String, Object>> events) {
    }

    @GetMapping("/api/sessions/{id}")
    @Operation(summary = "One session and its events in time order",
            description = "Role: viewer or above on `appId` (404 otherwise, as for an unknown app). The session is looked "
                    + "for among the sessions that start in `[from, to)`; `from` defaults to 7 days before `to` (not 24 h: "
                    + "sessions formed by the server have ids that exist only as a query's answer, so the range is where "
                    + "it is formed again). 404 NOT_FOUND when no session of the range (and filters) has the id. Each "
                    + "event: `type`, `timestamp`, `eventId`, `path`, `url`, `title`, `referrer` (each when present), "
                    + "the type's fields under API.md's ingest names (error: message, errorType, stack, filename, lineno, "
                    + "colno, fingerprint; performance: metrics, resources; web-vital: name, value, rating, delta, id, "
                    + "navigationType; resource: name, initiatorType, startTime, duration, transferSize; click: x, y, "
                    + "viewportWidth, viewportHeight, selector; event: name; api: name (the called URL), method, status, "
                    + "duration) and `properties`." + QueryParameters.SESSION_FILTERS,
            security = @SecurityRequirement(name = "BearerAuth"))
    @Parameters({
            @Parameter(name = "id", in = ParameterIn.PATH, required = true, description = "The session's id, as listed"),
            @Parameter(name = "appId", in = ParameterIn.QUERY, required = true, description = QueryParameters.APP_ID),
            @Parameter(name = "from", in = ParameterIn.QUERY, description = "Start of the range the session starts in, "
                    + "inclusive: ISO-8601 or epoch ms. Default: 7 days before `to`."),
            @Parameter(name = "to", in = ParameterIn.QUERY, description = QueryParameters.TO),
            @Parameter(name = "release", in = ParameterIn.QUERY, description = QueryParameters.RELEASE),
            @Parameter(name = "environment", in = ParameterIn.QUERY, description = QueryParameters.ENVIRONMENT),
            @Parameter(name = "path", in = ParameterIn.QUERY, description = QueryParameters.PATH_SESSION),
            @Parameter(name = "browser", in = ParameterIn.QUERY, description = QueryParameters.BROWSER),
            @Parameter(name = "os", in = ParameterIn.QUERY, description = QueryParameters.OS),
            @Parameter(name = "deviceType", in = ParameterIn.QUERY, description = QueryParameters.DEVICE_TYPE),
            @Parameter(name = "country", in = ParameterIn.QUERY, description = QueryParameters.COUNTRY),
            @Parameter(name = "fresh", in = ParameterIn.QUERY, description = QueryParameters.FRESH)})
    SessionWithEvents detail(@PathVariable String id, @Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.query(withDetailRange(params), Set.of());
        if (id.length() > MAX_ID_LENGTH) {
            throw notFound(id);
        }
        SessionDetail detail = storage.sessions().session(q, id).orElseThrow(() -> notFound(id));
        return new SessionWithEvents(SessionView.of(detail.summary()),
                detail.events().stream().map(SessionsController::timelineEvent).toList());
    }

    private Map<String, String> withDetailRange(Map<String, String> params) {
        if (params.containsKey("from")) {
            return params;
        }
        Instant to = params.containsKey("to") ? RequestTimes.parse(params.get("to")).orElse(null) : clock.instant();
        if (to == null) {
            return params; // ReadRequests names the bad `to`
        }
        Map<String, String> withFrom = new HashMap<>(params);
        withFrom.put("from", Long.toString(to.minus(DETAIL_DEFAULT_RANGE).toEpochMilli()));
        withFrom.putIfAbsent("to", Long.toString(to.toEpochMilli()));
        return withFrom;
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("No session '" + ApiException.excerpt(id) + "' starts in the range asked");
    }

    private static Map<String, Object> timelineEvent(StoredEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", e.type().wireName());
        m.put("timestamp", Instant.ofEpochMilli(e.timestamp()));
        putPresent(m, "eventId", e.eventId());
        putPresent(m, "path", e.path());
        putPresent(m, "url", e.url());
        putPresent(m, "title", e.title());
        putPresent(m, "referrer", e.referrer());
        e.fields().forEach((k, v) -> putPresent(m, k, v));
        m.put("properties", e.properties());
        return m;
    }

    private static void putPresent(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.putIfAbsent(key, value);
        }
    }
}
