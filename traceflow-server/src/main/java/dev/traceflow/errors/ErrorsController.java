package dev.traceflow.errors;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.ErrorQueries.Dimension;
import dev.traceflow.core.storage.ErrorQueries.ErrorEvent;
import dev.traceflow.core.storage.ErrorQueries.GroupCount;
import dev.traceflow.core.storage.ErrorQueries.GroupDetail;
import dev.traceflow.core.storage.ErrorQueries.Stats;
import dev.traceflow.core.storage.ErrorQueries.Totals;
import dev.traceflow.core.storage.ErrorQueries.ValueCount;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.http.ApiException;
import dev.traceflow.processing.grouping.StackTraceParser;
import dev.traceflow.reading.PageCursors;
import dev.traceflow.reading.ReadParameters;
import dev.traceflow.reading.ReadRequests;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code /api/errors*} (API.md "Reading data"): error groups, one group's detail, its status, error totals. */
@RestController
@Tag(name = "Errors")
class ErrorsController {

    static final int DEFAULT_LIMIT = 25;
    static final int MAX_LIMIT = 100;
    private static final Set<String> LIST_PARAMS = Set.of("sort", "limit", "cursor", "status");
    private static final Pattern GROUP_ID = Pattern.compile("[1-9][0-9]{0,17}");

    private final ReadRequests reads;
    private final PageCursors cursors;
    private final JdbcErrorGroups groups;
    private final EventStorage storage;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    ErrorsController(ReadRequests reads, PageCursors cursors, JdbcErrorGroups groups, EventStorage storage, AppAccess access,
                     AuditLog audit, TransactionTemplate tx, Clock clock, ApplicationEventPublisher events) {
        this.events = events;
        this.reads = reads;
        this.cursors = cursors;
        this.groups = groups;
        this.storage = storage;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    private ErrorQueries errors() {
        return storage.errors();
    }

    @GetMapping("/api/errors")
    @Operation(summary = "Error groups with events in a range",
            description = """
                    Role: viewer or above on `appId` (404 otherwise, as for an unknown app). Common parameters as in API.md \
                    "Reading data" (`appId` required; `from`, `to` default to the last 24 hours; filters `release`, \
                    `environment`, `path`, `browser`, `os`, `deviceType`, `country` match each error event's own values; \
                    `fresh=true` waits until every event acknowledged before the request is counted).

                    Lists the groups that have at least one error event in `[from, to)` matching the filters (like Sentry's \
                    period selector). Per item: `id` (use it in `/api/errors/{id}`), `fingerprint`, `type` (`errorType` of \
                    the group's latest event, `Error` when it had none), `message` (of the latest event by event time, at \
                    most 1000 characters), `firstSeen` / `lastSeen` (event times of the group's first and last event ever), \
                    `status`, `regressions` and `lastRegressedAt` (absent when it never regressed); as everywhere in the API, \
                    fields without a value are left out; `count` = its error events in the range matching the \
                    filters, `users` = their distinct users (userId, else anonymousId, else sessionId; events with none \
                    count for no user). `total` = how many groups the list holds over all pages.

                    `sort` = `lastSeen` (default) | `count` | `firstSeen`, largest first, ties by id. `status` = \
                    `unresolved` | `resolved` | `ignored` (default: every status). `limit` 1..100 (default 25). `nextCursor` \
                    (absent on the last page) is passed as `cursor` for the next page, with the same other parameters; a \
                    cursor that was edited, made for another `sort`, or is from before a server restart is a 400.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters(own = {"sort: `lastSeen` (default), `count` or `firstSeen`, largest first",
            "status: `unresolved`, `resolved` or `ignored`; default every status", "limit: groups per page, 1-100 (default 25)",
            "cursor: `nextCursor` of the previous page"})
    Map<String, Object> list(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = reads.query(params, LIST_PARAMS);
        String sortName = params.getOrDefault("sort", ErrorGroupPage.Sort.LAST_SEEN.wireName);
        ErrorGroupPage.Sort sort = ErrorGroupPage.Sort.fromWireName(sortName);
        if (sort == null) {
            throw ReadRequests.invalid("sort", "sort must be one of count, lastSeen, firstSeen");
        }
        ErrorStatus status = status(params.get("status"));
        int limit = ReadRequests.integer(params, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        ErrorGroupPage.Position after = null;
        if (params.containsKey("cursor")) {
            after = ErrorGroupPage.Position.parse(cursors.decode(params.get("cursor")));
            if (after == null || after.sort() != sort) {
                throw ReadRequests.invalid("cursor", "cursor belongs to another sort than '" + sort.wireName
                        + "': start the list again without it");
            }
        }
        Map<String, GroupCount> counts = new HashMap<>();
        for (GroupCount c : errors().groups(q)) {
            counts.put(c.fingerprint(), c);
        }
        List<ErrorGroupPage.Row> rows = new ArrayList<>();
        for (ErrorGroup g : groups.ofApp(q.appId(), status)) {
            GroupCount c = counts.get(g.fingerprint());
            if (c != null) {
                rows.add(new ErrorGroupPage.Row(g, c.count(), c.users()));
            }
        }
        ErrorGroupPage.Page page = ErrorGroupPage.of(rows, sort, limit, after);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", page.items().stream().map(r -> group(r.group(), r.count(), r.users())).toList());
        answer.put("total", page.total());
        answer.put("nextCursor", page.next() == null ? null : cursors.encode(page.next().text()));
        return answer;
    }

    @GetMapping("/api/errors/stats")
    @Operation(summary = "Error totals, series and types over a range",
            description = """
                    Role: viewer or above on `appId` (404 otherwise). Common and series parameters as in API.md "Reading \
                    data" (`granularity` minute|hour|day|week|month, default hour up to 48 hours and day beyond; `tz`). \
                    Over the error events in `[from, to)` matching the filters: `total` = events, `groups` = distinct \
                    groups (fingerprints), `users` = distinct users (userId, else anonymousId, else sessionId), `series` = \
                    events per bucket `[{ts, count}]`, every bucket of the range with zeros, `ts` the bucket's start; \
                    `byType` = events per `errorType` as sent, `Error` for events without one, most first, ties by type.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters(series = true)
    Map<String, Object> stats(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = reads.series(params, Set.of());
        Stats stats = errors().stats(q);
        Totals totals = stats.totals();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("total", totals.events());
        answer.put("groups", totals.groups());
        answer.put("users", totals.users());
        answer.put("granularity", q.granularity().wireName());
        answer.put("series", series(q, stats.series()));
        answer.put("byType", stats.byType().stream().map(t -> Map.of("type", t.value(), "count", t.count())).toList());
        return answer;
    }

    @GetMapping("/api/errors/{id}")
    @Operation(summary = "One error group: its latest event with parsed frames, breakdowns and series",
            description = """
                    Role: viewer or above on the group's app (404 otherwise, as for an unknown group). `appId` may be \
                    omitted (the group names its app); when given it must be the group's app (else 404). Common and series \
                    parameters as in API.md "Reading data".

                    The group's fields as in `GET /api/errors`, with `count` and `users` over `[from, to)` and the filters, \
                    plus `appId` and `timesSeen` (events ever stored for the group). `latestEvent`: the group's most recent \
                    stored event, whatever the range and filters (absent when none is kept any more): `eventId`, `timestamp`, \
                    `message`, `errorType`, `stack` (as sent), `filename`, `lineno`, `colno`, `url`, `path`, `release`, \
                    `environment`, `browser`, `os`, `deviceType`, `country`, `sessionId`, `user`, `properties` and `metadata` \
                    as sent (an event from a Sentry SDK: its tags, and its level, contexts, breadcrumbs, extra and user under \
                    `metadata.sentry`), and `frames` parsed from \
                    the stack (Chrome, Firefox and Safari formats), innermost first: `function`, `file`, `line`, `column` \
                    (absent when the trace gives none), `inApp` (false for engine code, browser extensions and \
                    node_modules). `breakdowns`: `browser`, `os`, `release`, each `[{value, count}]` over the range and \
                    filters, most first, ties by value, `value` absent for events without it (last). `series`: the group's events \
                    per bucket `[{ts, count}]`, zeros included.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters(series = true, appIdRequired = false)
    Map<String, Object> detail(@PathVariable String id, @Parameter(hidden = true) @RequestParam Map<String, String> params) {
        ErrorGroup g = readable(id, params.get("appId"));
        Map<String, String> withApp = new HashMap<>(params);
        withApp.put("appId", g.appId());
        EventQuery q = reads.series(withApp, Set.of());
        GroupDetail detail = errors().groupDetail(q, g.fingerprint());
        Map<String, Object> answer = group(g, detail.count().count(), detail.count().users());
        answer.put("appId", g.appId());
        answer.put("timesSeen", g.timesSeen());
        answer.put("latestEvent", errors().latestEvent(g.appId(), g.fingerprint(), g.firstSeen(), g.lastSeen().plusMillis(1))
                .map(ErrorsController::event).orElse(null));
        Map<String, Object> breakdowns = new LinkedHashMap<>();
        for (Dimension d : Dimension.values()) {
            breakdowns.put(d.column(), detail.breakdowns().get(d).stream().map(ErrorsController::valueCount).toList());
        }
        answer.put("breakdowns", breakdowns);
        answer.put("granularity", q.granularity().wireName());
        answer.put("series", series(q, detail.series()));
        return answer;
    }

    /** The body of a status change. */
    record StatusBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"unresolved", "resolved", "ignored"}) String status) {
    }

    @PatchMapping("/api/errors/{id}")
    @Operation(summary = "Set an error group's status",
            description = """
                    Role: editor or above on the group's app (404 when the caller cannot read it, 403 for a viewer). Body \
                    `{"status": "unresolved" | "resolved" | "ignored"}`; 400 for a body that is not JSON, 422 for another \
                    status or none. A resolved group that gets a new event becomes unresolved again (a regression: \
                    `regressions` counts them, `lastRegressedAt` is when the server stored the event); an ignored group \
                    stays ignored. A change is audited (`error_group.status`, with the status before and after). Answers \
                    the group as `GET /api/errors` lists it, `count` and `users` over the last 24 hours.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> setStatus(@PathVariable String id, @RequestBody(required = false) StatusBody body) {
        ErrorGroup g = existing(id);
        access.require(g.appId(), AppPermission.WRITE);
        ErrorStatus status = body == null ? null : ErrorStatus.fromWireName(body.status());
        if (status == null) {
            throw ApiException.invalid("status must be one of unresolved, resolved, ignored");
        }
        JdbcErrorGroups.StatusChange change = tx.execute(t -> {
            JdbcErrorGroups.StatusChange c = groups.setStatus(g.id(), status, clock.instant())
                    .orElseThrow(() -> notFound(id));
            if (c.before().status() != c.after().status()) {
                audit.record("error_group.status", "error_group", Long.toString(g.id()), g.appId(),
                        Map.of("before", c.before().status().wireName(), "after", c.after().status().wireName(),
                                "fingerprint", g.fingerprint()));
            }
            return c;
        });
        Instant now = clock.instant();
        if (change.before().status() != change.after().status()) {
            events.publishEvent(new ErrorGroupStatusChanged(g.appId(), g.id(), g.fingerprint(), change.before().status().wireName(),
                    change.after().status().wireName(), now));
        }
        EventQuery day = EventQuery.of(g.appId(), now.minusSeconds(86_400), now);
        GroupCount count = errors().groups(day).stream().filter(c -> c.fingerprint().equals(g.fingerprint())).findFirst()
                .orElse(new GroupCount(g.fingerprint(), 0, 0));
        return group(change.after(), count.count(), count.users());
    }

    /** The group of a path id that the caller may read, else 404 (the same answer for a group that does not exist). */
    private ErrorGroup readable(String id, String appId) {
        ErrorGroup g = existing(id);
        access.require(g.appId(), AppPermission.READ);
        if (appId != null && !appId.equals(g.appId())) {
            throw notFound(id);
        }
        return g;
    }

    private ErrorGroup existing(String id) {
        if (!GROUP_ID.matcher(id).matches()) {
            throw notFound(id);
        }
        return groups.find(Long.parseLong(id)).orElseThrow(() -> notFound(id));
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("No error group '" + ApiException.excerpt(id) + "'");
    }

    private static ErrorStatus status(String value) {
        if (value == null) {
            return null;
        }
        ErrorStatus s = ErrorStatus.fromWireName(value);
        if (s == null) {
            throw ReadRequests.invalid("status", "status must be one of unresolved, resolved, ignored");
        }
        return s;
    }

    private static Map<String, Object> group(ErrorGroup g, long count, long users) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", Long.toString(g.id()));
        m.put("fingerprint", g.fingerprint());
        m.put("type", g.type());
        m.put("message", g.message());
        m.put("count", count);
        m.put("users", users);
        m.put("firstSeen", g.firstSeen());
        m.put("lastSeen", g.lastSeen());
        m.put("status", g.status().wireName());
        m.put("regressions", g.regressions());
        m.put("lastRegressedAt", g.lastRegressedAt());
        return m;
    }

    private static List<Map<String, Object>> series(EventQuery q, List<Long> counts) {
        List<Instant> starts = q.buckets().starts();
        List<Map<String, Object>> out = new ArrayList<>(counts.size());
        for (int i = 0; i < counts.size(); i++) {
            out.add(Map.of("ts", starts.get(i), "count", counts.get(i)));
        }
        return out;
    }

    private static Map<String, Object> valueCount(ValueCount v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", v.value());
        m.put("count", v.count());
        return m;
    }

    private static Map<String, Object> event(ErrorEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventId", e.eventId());
        m.put("timestamp", e.timestamp());
        m.put("message", e.message());
        m.put("errorType", e.errorType());
        m.put("stack", e.stack());
        m.put("filename", e.filename());
        m.put("lineno", e.lineno());
        m.put("colno", e.colno());
        m.put("url", e.url());
        m.put("path", e.path());
        m.put("release", e.release());
        m.put("environment", e.environment());
        m.put("browser", e.browser());
        m.put("os", e.os());
        m.put("deviceType", e.deviceType());
        m.put("country", e.country());
        m.put("sessionId", e.sessionId());
        m.put("user", e.user());
        m.put("properties", e.properties());
        m.put("metadata", e.metadata());
        m.put("frames", StackTraceParser.parse(e.stack()).stream().map(f -> {
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("function", f.function());
            frame.put("file", f.file());
            frame.put("line", f.line());
            frame.put("column", f.column());
            frame.put("inApp", f.inApp());
            return frame;
        }).toList());
        return m;
    }
}
