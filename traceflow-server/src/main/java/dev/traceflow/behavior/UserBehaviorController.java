package dev.traceflow.behavior;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.Heatmap;
import dev.traceflow.core.storage.PageTransition;
import dev.traceflow.reading.ReadRequests;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.Parameters;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code GET /api/user-behavior/paths} and {@code GET /api/user-behavior/heatmap} (API.md "Reading data"). */
@RestController
@Tag(name = "User behaviour")
class UserBehaviorController {

    static final int DEFAULT_TRANSITIONS = 100;
    static final int MAX_TRANSITIONS = 1000;

    private final ReadRequests requests;
    private final EventStorage storage;

    UserBehaviorController(ReadRequests requests, EventStorage storage) {
        this.requests = requests;
        this.storage = storage;
    }

    record Transitions(@Schema(description = "Most frequent first, ties by `from` then `to`") List<PageTransition> transitions) {
    }

    @GetMapping("/api/user-behavior/paths")
    @Operation(summary = "Page transitions: how often one page view followed another within a session",
            description = "Role: viewer or above on `appId` (404 otherwise, as for an unknown app). Over the sessions "
                    + "that start in the range (as `GET /api/sessions` lists them), each page view is counted as "
                    + "`{from: previous page view's path, to: its path}`, the session's first as `from: \"(entry)\"`. "
                    + "Page views are taken in time order (equal times in the order stored); a page view without a URL "
                    + "has no path and is skipped; a reload of the same page counts as a transition to itself. Most "
                    + "frequent first, ties by `from` then `to`; `limit` 1-1000 (default 100)." + QueryParameters.SESSION_FILTERS,
            security = @SecurityRequirement(name = "BearerAuth"))
    @Parameters({
            @Parameter(name = "appId", in = ParameterIn.QUERY, required = true, description = QueryParameters.APP_ID),
            @Parameter(name = "from", in = ParameterIn.QUERY, description = QueryParameters.FROM),
            @Parameter(name = "to", in = ParameterIn.QUERY, description = QueryParameters.TO),
            @Parameter(name = "limit", in = ParameterIn.QUERY, description = "At most this many transitions, 1-1000 (default 100)"),
            @Parameter(name = "release", in = ParameterIn.QUERY, description = QueryParameters.RELEASE),
            @Parameter(name = "environment", in = ParameterIn.QUERY, description = QueryParameters.ENVIRONMENT),
            @Parameter(name = "path", in = ParameterIn.QUERY, description = QueryParameters.PATH_SESSION),
            @Parameter(name = "browser", in = ParameterIn.QUERY, description = QueryParameters.BROWSER),
            @Parameter(name = "os", in = ParameterIn.QUERY, description = QueryParameters.OS),
            @Parameter(name = "deviceType", in = ParameterIn.QUERY, description = QueryParameters.DEVICE_TYPE),
            @Parameter(name = "country", in = ParameterIn.QUERY, description = QueryParameters.COUNTRY),
            @Parameter(name = "fresh", in = ParameterIn.QUERY, description = QueryParameters.FRESH)})
    Transitions paths(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.query(params, Set.of("limit"));
        int limit = ReadRequests.integer(params, "limit", 1, MAX_TRANSITIONS, DEFAULT_TRANSITIONS);
        return new Transitions(storage.sessions().transitions(q, limit));
    }

    record HeatmapAnswer(@Schema(description = "The page asked for") String path,
                         @Schema(description = "Clicks placed on the grid (the sum of the cells' counts)") long clicks,
                         @Schema(description = "Cells with at least one click, by y then x; x and y are 0-99") List<Heatmap.Cell> cells) {
    }

    @GetMapping("/api/user-behavior/heatmap")
    @Operation(summary = "Clicks on one page on a 100 x 100 grid",
            description = "Role: viewer or above on `appId` (404 otherwise, as for an unknown app). `path` (required, "
                    + "400 INVALID_PARAMETER without it) is the page: `click` events in the range whose URL path is "
                    + "exactly it. A click at page pixel (x, y) in a viewport of width w and height h is counted in cell "
                    + "`x = floor(100 * x / w)`, `y = floor(100 * y / h)`, each clamped to 0-99 (clicks beyond the "
                    + "viewport, as on a page scrolled down, land on the edge row or column). Clicks without a positive "
                    + "viewport width and height cannot be placed and are not counted, in `clicks` either. The other "
                    + "filters apply to each click's own dimensions (browser, os... of that event).",
            security = @SecurityRequirement(name = "BearerAuth"))
    @Parameters({
            @Parameter(name = "appId", in = ParameterIn.QUERY, required = true, description = QueryParameters.APP_ID),
            @Parameter(name = "path", in = ParameterIn.QUERY, required = true, description = "The page's URL path, e.g. `/pricing`"),
            @Parameter(name = "from", in = ParameterIn.QUERY, description = QueryParameters.FROM),
            @Parameter(name = "to", in = ParameterIn.QUERY, description = QueryParameters.TO),
            @Parameter(name = "release", in = ParameterIn.QUERY, description = QueryParameters.RELEASE),
            @Parameter(name = "environment", in = ParameterIn.QUERY, description = QueryParameters.ENVIRONMENT),
            @Parameter(name = "browser", in = ParameterIn.QUERY, description = QueryParameters.BROWSER),
            @Parameter(name = "os", in = ParameterIn.QUERY, description = QueryParameters.OS),
            @Parameter(name = "deviceType", in = ParameterIn.QUERY, description = QueryParameters.DEVICE_TYPE),
            @Parameter(name = "country", in = ParameterIn.QUERY, description = QueryParameters.COUNTRY),
            @Parameter(name = "fresh", in = ParameterIn.QUERY, description = QueryParameters.FRESH)})
    HeatmapAnswer heatmap(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.query(params, Set.of());
        String path = q.filters().path();
        if (path == null || path.isBlank()) {
            throw ReadRequests.invalid("path", "path is required: the page whose clicks to show, e.g. /pricing");
        }
        Heatmap h = storage.sessions().heatmap(q, path);
        return new HeatmapAnswer(path, h.clicks(), h.cells());
    }
}
