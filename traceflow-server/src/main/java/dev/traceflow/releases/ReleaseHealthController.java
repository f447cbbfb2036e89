package dev.traceflow.releases;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.ReleaseHealthQueries.ReleaseHealth;
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

/** {@code GET /api/releases/health}: sessions, crashes and crash-free rates per release. */
@RestController
@Tag(name = "Release health")
class ReleaseHealthController {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final ReadRequests requests;
    private final EventStorage storage;

    ReleaseHealthController(ReadRequests requests, EventStorage storage) {
        this.requests = requests;
        this.storage = storage;
    }

    @GetMapping("/api/releases/health")
    @Operation(summary = "Release health: sessions, crashes and crash-free rates per release",
            description = """
                    Role: viewer or above on `appId` (404 otherwise, as for an unknown app). Common parameters as in API.md \
                    "Reading data"; the filters apply to each session's first update. Counts the session updates that Sentry \
                    SDKs send (their `session` and `sessions` items, stored as `session_update` events). Answers \
                    `{items: [{release, sessions, healthy, errored, abnormal, crashed, users, crashedUsers, crashFreeSessionRate, \
                    crashFreeUserRate}]}`, most sessions first, ties by release, at most `limit` (1-1000, default 100). A session \
                    counts in the range its first update (init) falls in, with its outcome read from its updates up to 24 hours \
                    after `to`; a pre-counted aggregate counts in the range its bucket starts in. Each session is in exactly one of \
                    crashed (an update said crashed), abnormal, errored (an update said errored or unhandled, or counted an error) or \
                    healthy; `unhandled`, what Sentry's SDKs since version 11 report for an uncaught error that did not end the \
                    app, is an errored session, not a crash, as in Sentry. \
                    `users`: distinct users (Sentry's distinct id) of those sessions, `crashedUsers` those with a crashed \
                    session. `crashFreeSessionRate` = 1 - crashed / sessions, `crashFreeUserRate` = 1 - crashedUsers / users \
                    (0..1; null without users). Abnormal sessions are not crashes, as in Sentry. Updates without a release are \
                    not counted.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters(own = {"limit: the most releases to answer, 1-1000 (default 100)"})
    Map<String, Object> health(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.query(params, Set.of("limit"));
        int limit = ReadRequests.integer(params, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        List<Map<String, Object>> items = new ArrayList<>();
        for (ReleaseHealth r : storage.releaseHealth().releases(q, limit)) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("release", r.release());
            item.put("sessions", r.sessions());
            item.put("healthy", r.healthy());
            item.put("errored", r.errored());
            item.put("abnormal", r.abnormal());
            item.put("crashed", r.crashed());
            item.put("users", r.users());
            item.put("crashedUsers", r.crashedUsers());
            item.put("crashFreeSessionRate", r.crashFreeSessionRate());
            item.put("crashFreeUserRate", r.crashFreeUserRate());
            items.add(item);
        }
        return Map.of("items", items);
    }
}
