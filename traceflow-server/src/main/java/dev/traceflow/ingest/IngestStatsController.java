package dev.traceflow.ingest;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.RequestTimes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import dev.traceflow.storage.EventWriteQueue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /api/ingest/stats} (API.md "Reading data"): what became of an app's events over a range. */
@RestController
@Tag(name = "Ingest stats")
class IngestStatsController {

    private final IngestOutcomes outcomes;
    private final AppAccess access;
    private final AppDirectory apps;
    private final Clock clock;
    private final EventWriteQueue queue;

    IngestStatsController(IngestOutcomes outcomes, AppAccess access, AppDirectory apps, Clock clock, EventWriteQueue queue) {
        this.outcomes = outcomes;
        this.queue = queue;
        this.access = access;
        this.apps = apps;
        this.clock = clock;
    }

    @GetMapping("/api/ingest/stats")
    @Operation(summary = "Events accepted and not stored, by reason",
            description = "Role: viewer or above on `appId` (404 otherwise, as for an unknown app). `from` (inclusive, floored "
                    + "to the hour: outcomes are kept per hour) and `to` (exclusive) default to the last 24 hours. Answers "
                    + "`{appId, from, to, accepted, invalid, sampled_out, bot, rate_limited, too_large, duplicate, filtered, opted_out, overloaded, "
                    + "storage_timeout, storage_failed, client_discarded}`: API.md's reasons, plus `filtered` (drop rules), `opted_out` (opt-outs and honoured Do Not Track / Global Privacy Control), `overloaded` (503 OVERLOADED: "
                    + "the storage queue was full), `storage_timeout` (503 STORAGE_TIMEOUT; such events may still be stored and then "
                    + "count as accepted too), `storage_failed` (503 STORAGE_UNAVAILABLE: the journal could not be written) and "
                    + "`client_discarded` (events a Sentry SDK discarded itself and reported in a client report, for a reason "
                    + "TraceFlow has no name for; its sample_rate, ratelimit_backoff and before_send discards count as sampled_out, "
                    + "rate_limited and filtered: README \"Use the Sentry SDK\").",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> stats(@RequestParam String appId, @RequestParam(required = false) String from,
                              @RequestParam(required = false) String to) {
        access.require(appId, AppPermission.READ);
        if (apps.find(appId).isEmpty()) {
            throw ApiException.noSuchApp(appId);
        }
        Instant end = to == null ? clock.instant() : time("to", to);
        Instant start = from == null ? end.minus(Duration.ofHours(24)) : time("from", from);
        if (!start.isBefore(end)) {
            throw ApiException.invalid("from must be before to");
        }
        awaitLoaded();
        Map<String, Long> totals = outcomes.totals(appId, start, end);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("appId", appId);
        answer.put("from", start);
        answer.put("to", end);
        answer.put("accepted", totals.getOrDefault("accepted", 0L));
        for (DropReason reason : DropReason.values()) {
            answer.put(reason.wireName(), totals.getOrDefault(reason.wireName(), 0L));
        }
        return answer;
    }

    private static Instant time(String name, String value) {
        return RequestTimes.parse(value).orElseThrow(() -> ApiException.invalid(
                name + " must be an ISO-8601 time or epoch milliseconds"));
    }

    /** accepted and duplicate are counted when events reach the store: let the answer include every 202 before it. */
    private void awaitLoaded() {
        try {
            queue.awaitStored(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
