package dev.traceflow.ingest;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/**
 * The ingest request bodies as the OpenAPI document shows them (API.md "Ingest"). Documentation
 * only: the endpoints read bodies with their own streaming parsers, which decide what is valid;
 * these records must say the same.
 */
final class IngestBodies {

    private IngestBodies() {
    }

    @Schema(name = "CollectEvent", description = "One TraceFlow event. The common fields, then the fields of its `type` "
            + "(only those of the event's own type are read).")
    record CollectEvent(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "The app; must be the ingest key's app") String appId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"pageview", "error", "performance", "web-vital",
                    "resource", "click", "event", "session_start", "session_end", "conversion", "purchase", "api", "session_update"},
                    description = "session_update: a release-health session update (needs `release`); properties `sid`, `status` "
                            + "(ok, exited, errored, crashed, abnormal), `errors`, `init` (true on the first), or the counts "
                            + "`exited`, `errored`, `abnormal`, `crashed` of an aggregate (GET /api/releases/health)") String type,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "When it happened: epoch milliseconds or ISO-8601; "
                    + "at most 30 days back and 1 hour ahead of the server clock", example = "1764806400000") Object timestamp,
            @Schema(description = "A repeated eventId of the app is stored once") String eventId,
            String sessionId, String userId, String anonymousId,
            @Schema(description = "The page; a pageview's path comes from it") String url,
            String referrer, String title,
            @Schema(description = "Else the request's User-Agent header") String userAgent,
            String release, String environment,
            @Schema(description = "Custom key/values; `revenue` (number) and `conversionType` for conversions and purchases")
            Map<String, Object> properties,
            Map<String, Object> metadata,
            @Schema(description = "error: required") String message,
            @Schema(description = "error: the stack in Chrome, Firefox or Safari format") String stack,
            @Schema(description = "error, e.g. TypeError") String errorType,
            String filename, Integer lineno, Integer colno,
            @Schema(description = "error: overrides grouping") List<String> fingerprint,
            @Schema(description = "performance: any of fcp, lcp, fid, inp, cls, ttfb, domLoad, load (ms; cls unitless)")
            Map<String, Double> metrics,
            @ArraySchema(schema = @Schema(implementation = ResourceTiming.class), arraySchema = @Schema(description = "performance"))
            List<ResourceTiming> resources,
            @Schema(description = "web-vital: LCP, INP, CLS, FCP, TTFB or FID; resource: the URL; event: the custom event's name")
            String name,
            @Schema(description = "web-vital: the value") Double value,
            @Schema(description = "web-vital: as the library reports it (not trusted: answers rate values themselves)") String rating,
            Double delta,
            @Schema(description = "web-vital: the metric's id; repeated reports of one id keep the last") String id,
            String navigationType,
            @Schema(description = "resource") String initiatorType,
            @Schema(description = "resource: ms") Double duration,
            @Schema(description = "resource: bytes") Double transferSize,
            @Schema(description = "click: page pixels") Double x,
            @Schema(description = "click: page pixels") Double y,
            @Schema(description = "click") Integer viewportWidth,
            @Schema(description = "click") Integer viewportHeight,
            @Schema(description = "click") String selector) {
    }

    @Schema(name = "ResourceTiming")
    record ResourceTiming(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String name, String initiatorType, Double startTime,
                          @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Double duration, Double transferSize) {
    }

    @Schema(name = "CollectBatch", description = "Up to 1000 events; a bare JSON array of events is accepted too")
    record CollectBatch(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<CollectEvent> events) {
    }

    @Schema(name = "TelemetryBatch", description = "Platform telemetry: page → pageview, perf → web-vital or performance")
    record TelemetryBatch(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "The key's app") String app,
                          String release,
                          @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<TelemetryItem> events) {
    }

    @Schema(name = "TelemetryItem")
    record TelemetryItem(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"page", "event", "error", "api", "perf"})
                         String type,
                         String name,
                         @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "epoch ms") Long ts,
                         Map<String, Object> props) {
    }
}
