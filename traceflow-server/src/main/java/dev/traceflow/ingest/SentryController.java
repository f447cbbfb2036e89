package dev.traceflow.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.traceflow.TraceFlowProperties;
import dev.traceflow.apps.App;
import dev.traceflow.core.event.Event;
import dev.traceflow.http.ApiError;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.IngestPaths;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sentry's ingest protocol, so an app whose code already runs a Sentry SDK reports here by changing
 * its DSN alone (issue 23): {@code POST /api/{projectId}/envelope/} and the older
 * {@code /api/{projectId}/store/}. What arrives becomes ordinary TraceFlow events
 * ({@link SentryEvents}) and goes the way every ingest request goes: the app's key and origin
 * ({@link IngestAuth}), the body within the limits and the server's byte budget
 * ({@link RequestBodies}, gzip, deflate and brotli), the app's rate limit, the pipeline, the
 * journal, the ingest outcomes ({@link Ingestion}). The answer comes once the events are durable.
 *
 * <p>Answers SDKs understand: 200 {@code {"id": "<event_id>"}} (with TraceFlow's own counts
 * besides), 429 with {@code Retry-After} and {@code X-Sentry-Rate-Limits} (SDKs then hold back
 * every category for that long), 413 over a size limit, 400 for a malformed envelope, of which
 * nothing is stored.
 */
@RestController
@Tag(name = "Sentry ingest", description = "Sentry's envelope protocol, for apps that send with a Sentry SDK. Authenticated by "
        + "the ingest key in the SDK's DSN.")
@SecurityRequirement(name = "IngestKey")
class SentryController {

    private static final Logger log = LoggerFactory.getLogger(SentryController.class);

    /** Sentry's rate-limit header: {@code <seconds>:<categories>:<scope>}; no categories means all of them. */
    static final String RATE_LIMITS_HEADER = "X-Sentry-Rate-Limits";

    private final IngestAuth auth;
    private final Ingestion ingestion;
    private final IngestOutcomes outcomes;
    private final IngestByteBudget budget;
    private final RequestBodies bodies;
    private final MeterRegistry meters;
    private final Clock clock;
    private final int maxItems;
    private final int maxItemBytes;
    private final int maxPropertyDepth;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<ItemCounter, Counter> itemCounters = new ConcurrentHashMap<>();

    /** The tags of one {@code traceflow.ingest.sentry.items} counter. */
    private record ItemCounter(String app, String type, SentryItems.Outcome outcome) {
    }

    SentryController(IngestAuth auth, Ingestion ingestion, IngestOutcomes outcomes, IngestByteBudget budget,
                     TraceFlowProperties properties, MeterRegistry meters, Clock clock) {
        this.auth = auth;
        this.ingestion = ingestion;
        this.outcomes = outcomes;
        this.budget = budget;
        this.bodies = RequestBodies.of(properties.ingest());
        this.meters = meters;
        this.clock = clock;
        this.maxItems = properties.ingest().maxEvents();
        this.maxItemBytes = properties.ingest().sentryMaxItemBytes();
        this.maxPropertyDepth = properties.ingest().maxPropertyDepth();
    }

    /**
     * The 200 answer. {@code id} is what Sentry's endpoints answer (SDKs do not read it); the counts
     * are TraceFlow's, as every ingest endpoint gives them, with each item that could not be read
     * listed by its position in the envelope.
     */
    @Schema(name = "SentryIngestResponse")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SentryResponse(@Schema(description = "The envelope's event_id (or its event's); absent when it has none, "
            + "as for an envelope of sessions only") String id,
                          @Schema(description = "TraceFlow events stored (an error is one; a page-load transaction a page "
                                  + "view and, with web vitals, a performance event)") int accepted,
                          int rejected, List<IngestResponse.Error> errors) {
    }

    @RequestBody(required = true, description = "A Sentry envelope (develop.sentry.dev/sdk/data-model/envelopes/): a JSON header "
            + "line, then items of a JSON header line and a payload. Items: `event` (stored as an error event), `transaction` "
            + "(a pageload or navigation becomes a page view, its measurements fcp, lcp, cls, ttfb, inp, fid a performance "
            + "event), `session` and `sessions` (release health: GET /api/releases/health), `client_report` (the SDK's own "
            + "discards, added to the ingest outcomes); other types are accepted, "
            + "counted (traceflow.ingest.sentry.items) and skipped.",
            content = @Content(mediaType = "application/x-sentry-envelope", schema = @Schema(type = "string")))
    @Operation(summary = "Sentry envelope",
            description = "Where a Sentry SDK sends when its DSN is `http(s)://<ingest key>@<host>/<sentryProjectId>` (the DSN is "
                    + "answered with every new ingest key). The key comes as `X-Sentry-Auth: Sentry sentry_key=<key>, ...`, as "
                    + "`?sentry_key=` (browsers), or as the envelope header's `dsn`; it must be an ingest key of the app whose "
                    + "`sentryProjectId` the path names (else 403 APP_MISMATCH). Any content type (browsers send text/plain, "
                    + "without a preflight); Content-Encoding gzip, deflate or br. Limits: the ingest body limits, at most 1000 "
                    + "items, 1 MiB per item (TRACEFLOW_INGEST_SENTRY_MAX_ITEM_BYTES): 413. The app's rate limit counts the "
                    + "events an envelope becomes: 429 with Retry-After and X-Sentry-Rate-Limits. A malformed envelope (a header "
                    + "that is not JSON, a `length` that does not end at a newline) is 400 and nothing of it is stored; an item "
                    + "that cannot be read is listed in `errors` by its position and the others are stored.")
    @ApiResponse(responseCode = "200", description = "The events are durable (journaled)",
            content = @Content(schema = @Schema(implementation = SentryResponse.class)))
    @ApiResponse(responseCode = "429", description = "Over the app's rate limit; nothing stored",
            headers = {@Header(name = "Retry-After", description = "seconds"),
                    @Header(name = RATE_LIMITS_HEADER, description = "`<seconds>::project`: every category, as Sentry SDKs read it")},
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @SentryParameters
    @PostMapping(path = {IngestPaths.SENTRY_ENVELOPE, "/api/{projectId:\\d+}/envelope"}, produces = MediaType.APPLICATION_JSON_VALUE)
    void envelope(@PathVariable String projectId, HttpServletRequest request, HttpServletResponse response) {
        receive(projectId, request, response, false);
    }

    @RequestBody(required = true, description = "One Sentry event as JSON (an `event`, or a `transaction` when its `type` says so).",
            content = @Content(mediaType = "application/json", schema = @Schema(type = "object")))
    @Operation(summary = "Sentry event (the older store endpoint)",
            description = "One event per request, as older Sentry SDKs send; otherwise as the envelope endpoint.")
    @ApiResponse(responseCode = "200", description = "The events are durable (journaled)",
            content = @Content(schema = @Schema(implementation = SentryResponse.class)))
    @SentryParameters
    @PostMapping(path = {IngestPaths.SENTRY_STORE, "/api/{projectId:\\d+}/store"}, produces = MediaType.APPLICATION_JSON_VALUE)
    void store(@PathVariable String projectId, HttpServletRequest request, HttpServletResponse response) {
        receive(projectId, request, response, true);
    }

    private void receive(String projectId, HttpServletRequest request, HttpServletResponse response, boolean store) {
        String key = SentryCredentials.keyFromAuthHeader(request.getHeader(SentryCredentials.AUTH_HEADER));
        if (key == null) {
            key = SentryCredentials.queryParameter(request.getQueryString(), "sentry_key");
        }
        // without a key outside the body, the body is read first for the envelope header's dsn
        App app = key == null ? null : auth.authenticateSentry(key, projectId, request);
        try (IngestByteBudget.Lease lease = budget.lease()) {
            ingestion.admit();
            byte[] body = bodies.read(request, lease);
            // the items parsed as maps and the events made of them, as every ingest endpoint counts them
            lease.takeForEvents(body.length);
            SentryEnvelope envelope = store ? storeBody(body) : SentryEnvelope.parse(body, maxItems, maxItemBytes);
            app = checkHeaderDsn(envelope, app, key, projectId, request);
            SentryEvents mapping = new SentryEvents(app.id(), request.getHeader("User-Agent"), clock.millis(), maxPropertyDepth);
            SentryItems.Result items = SentryItems.read(envelope.items(), mapping);
            IngestResponse result = ingestion.ingest(app, items.events());
            count(app, items);
            IngestReplies.sentry(response, new SentryResponse(eventId(envelope, items), result.accepted(), result.rejected(),
                    result.errors()));
        } catch (ApiException e) {
            if (app != null) {
                outcomes.requestRejected(app.id(), e.code());
            }
            if (e.status() == HttpStatus.TOO_MANY_REQUESTS && e.retryAfterSeconds() != null) {
                // the project's every category, for as long as Retry-After says
                response.setHeader(RATE_LIMITS_HEADER, e.retryAfterSeconds() + "::project");
            }
            throw e;
        }
    }

    /**
     * The envelope header's {@code dsn}: the credential when the request had none, else a second
     * statement that must agree with it (an envelope written for another project is not this one's).
     */
    private App checkHeaderDsn(SentryEnvelope envelope, App app, String key, String projectId, HttpServletRequest request) {
        SentryCredentials.Dsn dsn = SentryCredentials.parseDsn(envelope.dsn());
        if (envelope.dsn() != null && dsn == null) {
            throw ApiException.malformed("the envelope header's dsn is not a DSN");
        }
        if (dsn != null && !dsn.project().equals(projectId)) {
            throw ApiException.forbidden("APP_MISMATCH", "the envelope header's dsn names project '"
                    + RequestBodies.truncate(dsn.project()) + "', not " + projectId + " of the URL");
        }
        if (app == null) {
            return auth.authenticateSentry(dsn == null ? null : dsn.key(), projectId, request);
        }
        if (dsn != null && !dsn.key().equals(key)) {
            throw ApiException.forbidden("APP_MISMATCH", "the envelope header's dsn has another key than the request");
        }
        return app;
    }

    /** A store body: one event, an envelope of one item of its {@code type} (event, or transaction). */
    private SentryEnvelope storeBody(byte[] body) {
        if (body.length > maxItemBytes) {
            throw ApiException.tooLarge("the event is " + body.length + " bytes; an event may have at most " + maxItemBytes);
        }
        Map<String, Object> event = SentryEnvelope.jsonObject(body);
        if (event == null) {
            throw ApiException.malformed("the body is not one JSON event object");
        }
        String type = "transaction".equals(event.get("type")) ? "transaction" : "event";
        return new SentryEnvelope(Map.of(), List.of(new SentryEnvelope.Item(type, Map.of("type", type), body)));
    }

    /** The envelope header's event_id, else that of its event or transaction. */
    private static String eventId(SentryEnvelope envelope, SentryItems.Result items) {
        if (envelope.eventId() != null) {
            return envelope.eventId();
        }
        return items.events().events().stream().map(Event::eventId).filter(Objects::nonNull).findFirst().orElse(null);
    }

    private void count(App app, SentryItems.Result items) {
        List<Map.Entry<String, SentryItems.Outcome>> itemOutcomes = items.outcomes();
        for (int i = 0; i < itemOutcomes.size(); ) {
            // a run of items of one type and outcome (an envelope's events, mostly) is counted with one
            // look-up, by a key that needs no string building
            Map.Entry<String, SentryItems.Outcome> item = itemOutcomes.get(i);
            int run = 1;
            while (i + run < itemOutcomes.size() && itemOutcomes.get(i + run).equals(item)) {
                run++;
            }
            i += run;
            itemCounters.computeIfAbsent(new ItemCounter(app.id(), item.getKey(), item.getValue()), key -> Counter
                    .builder("traceflow.ingest.sentry.items")
                    .description("Sentry envelope items received, by app, item type and what became of them "
                            + "(mapped to TraceFlow events, skipped, invalid)")
                    .tags("app", key.app(), "type", key.type(), "outcome", key.outcome().tag)
                    .register(meters))
                    .increment(run);
        }
        for (SentryClientReports.Discard d : items.discards()) {
            if (d.outcome() != null) {
                outcomes.record(app.id(), d.outcome(), d.quantity());
            }
            counter("traceflow.ingest.sentry.client.discarded", "What Sentry SDKs report they discarded themselves, by app, "
                    + "Sentry's reason and data category", "app", app.id(),
                    "reason", SentryClientReports.KNOWN_REASONS.contains(d.reason()) ? d.reason() : "other",
                    "category", SentryClientReports.KNOWN_CATEGORIES.contains(d.category()) ? d.category() : "other")
                    .increment(d.quantity());
        }
        if (log.isDebugEnabled()) {
            log.debug("Sentry envelope for app {}: {} items, {} events, {} client discards", app.id(), items.outcomes().size(),
                    items.events().events().size(), items.discards().size());
        }
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(name + String.join("\u0000", tags),
                k -> Counter.builder(name).description(description).tags(tags).register(meters));
    }

    /** Documents where a Sentry SDK puts its key. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @Parameter(name = "projectId", in = ParameterIn.PATH, description = "The app's sentryProjectId (the last part of its DSN)",
            schema = @Schema(type = "integer", format = "int64"))
    @Parameter(name = SentryCredentials.AUTH_HEADER, in = ParameterIn.HEADER, description = "`Sentry sentry_key=<ingest key>, "
            + "sentry_version=7, ...` (or ?sentry_key=, or the envelope header's dsn)", schema = @Schema(type = "string"))
    @Parameter(name = "sentry_key", in = ParameterIn.QUERY, description = "The ingest key (browser SDKs send it here)",
            schema = @Schema(type = "string"))
    @Parameter(name = "Content-Encoding", in = ParameterIn.HEADER, description = "gzip, deflate or br (optional)",
            schema = @Schema(type = "string", allowableValues = {"gzip", "deflate", "br"}))
    @interface SentryParameters {
    }
}
