package dev.traceflow.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.traceflow.TraceFlowProperties;
import dev.traceflow.apps.App;
import dev.traceflow.core.event.Event;
import dev.traceflow.core.pipeline.Drop;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.http.ApiError;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.IngestPaths;
import dev.traceflow.proto.v1.AnalyticsEvent;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * API.md "Ingest": TraceFlow events (single and batch), seed 001's telemetry and perf batches,
 * and seed 002's protobuf analytics events. Each endpoint authenticates the key, reads the body
 * within the limits, parses it into events (rejecting bad ones by index) and hands them to
 * {@link Ingestion}; the 202 comes only after the accepted events are durable (journaled).
 */
@RestController
@Tag(name = "Ingest", description = "Telemetry from browsers, apps and backends. Authenticated by the app's ingest key.")
@SecurityRequirement(name = "IngestKey")
class IngestController {

    /** Where API.md's type table is silent or lenient; shared by the descriptions of both collect endpoints. */
    private static final String REQUIRED_FIELDS = "Required per type: the fields API.md lists without `?`, except that an `event` "
            + "may come without `properties`, and an `api` event needs `properties.url` and `properties.duration` "
            + "(`method` and `status` are optional: a request that failed on the network has no status).";

    static final String PROTOBUF = "application/protobuf";
    static final String X_PROTOBUF = "application/x-protobuf";

    private final IngestAuth auth;
    private final Ingestion ingestion;
    private final IngestOutcomes outcomes;
    private final RequestBodies bodies;
    private final IngestByteBudget budget;
    private final IngestJson json;
    private final Clock clock;
    private final byte[] schema;

    IngestController(IngestAuth auth, Ingestion ingestion, IngestOutcomes outcomes, IngestByteBudget budget,
                     TraceFlowProperties properties, Clock clock)
            throws IOException {
        this.auth = auth;
        this.ingestion = ingestion;
        this.outcomes = outcomes;
        this.bodies = RequestBodies.of(properties.ingest());
        this.budget = budget;
        this.json = new IngestJson(properties.ingest().maxEvents(), properties.ingest().maxEventBytes());
        this.clock = clock;
        try (InputStream in = AnalyticsEvent.class.getResourceAsStream("/proto/traceflow/v1/analytics.proto")) {
            this.schema = in == null ? new byte[0] : in.readAllBytes();
        }
    }

    static boolean isIngestPath(String path) {
        return IngestPaths.takesEvents(path);
    }

    @RequestBody(required = true, content = {
            @Content(mediaType = "application/json", schema = @Schema(implementation = IngestBodies.CollectEvent.class)),
            @Content(mediaType = "text/plain", schema = @Schema(implementation = IngestBodies.CollectEvent.class))})
    @Operation(summary = "Send one TraceFlow event",
            description = "The body is one event (API.md). " + REQUIRED_FIELDS + " 202 when stored; an invalid event answers 422 (403 when its appId is "
                    + "another app's, 413 when over 64 KiB). Events dropped by policy (bot, sampling, drop rules) answer 202 with "
                    + "rejected: 1 and the reason.")
    @ApiResponse(responseCode = "202", description = "Stored (or dropped by policy, see errors)", content = @Content(schema = @Schema(implementation = IngestResponse.class)))
    @ApiResponse(responseCode = "422", description = "The event is invalid", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @KeyParameters
    @PostMapping(path = IngestPaths.COLLECT, consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_PLAIN_VALUE},
            produces = MediaType.APPLICATION_JSON_VALUE)
    void collect(HttpServletRequest request, HttpServletResponse response) {
        App app = auth.authenticate(request);
        IngestReplies.accepted(response, countingRejections(app, lease -> collectAuthenticated(app, request, lease)));
    }

    private IngestResponse collectAuthenticated(App app, HttpServletRequest request, IngestByteBudget.Lease lease) {
        IngestResponse result = ingestion.ingest(app, parseCollect(request, true, lease));
        return refuseWhenTheOnlyEventIsInvalid(result);
    }

    /**
     * Single-event endpoints answer a refused event with its status (422, 403 APP_MISMATCH, 413
     * EVENT_TOO_LARGE) rather than a 202 listing it; policy drops (bot, sampling, drop rules)
     * and privacy (opt-outs, Do Not Track) are not the client's error and stay 202.
     */
    private static IngestResponse refuseWhenTheOnlyEventIsInvalid(IngestResponse result) {
        if (result.accepted() > 0 || result.errors().isEmpty()) {
            return result;
        }
        IngestResponse.Error error = result.errors().getFirst();
        HttpStatus status = switch (error.code()) {
            case "APP_MISMATCH" -> HttpStatus.FORBIDDEN;
            case "EVENT_TOO_LARGE" -> HttpStatus.CONTENT_TOO_LARGE;
            case "SAMPLED_OUT", "BOT", "FILTERED", "OPTED_OUT", "PRIVACY_SIGNAL" -> null;
            default -> HttpStatus.UNPROCESSABLE_CONTENT;
        };
        if (status == null) {
            return result;
        }
        throw new ApiException(status, status == HttpStatus.UNPROCESSABLE_CONTENT ? "VALIDATION_FAILED" : error.code(),
                error.message(), result.errors(), null);
    }

    /** Reads a TraceFlow events body (one event, or a batch) into events, rejecting bad ones by index. */
    private ParsedEvents parseCollect(HttpServletRequest request, boolean single, IngestByteBudget.Lease lease) {
        byte[] body = bodies.read(request, lease);
        lease.takeForEvents(body.length);
        return json.readCollect(body, single, request.getHeader("User-Agent"), clock.millis());
    }

    @RequestBody(required = true, content = {
            @Content(mediaType = "application/json", schema = @Schema(implementation = IngestBodies.CollectBatch.class)),
            @Content(mediaType = "text/plain", schema = @Schema(implementation = IngestBodies.CollectBatch.class))})
    @Operation(summary = "Send a batch of TraceFlow events",
            description = "`{\"events\": [...]}` or a JSON array, at most 1000 events of at most 64 KiB each. Invalid events are "
                    + "skipped and reported by index; the others are stored. " + REQUIRED_FIELDS)
    @ApiResponse(responseCode = "202", description = "The accepted events are durable (journaled); reads see them 100 ms later when few arrive, later the more arrive, up to 3 s from about 10,000 events/s (longer while storage works off a backlog)",
            content = @Content(schema = @Schema(implementation = IngestResponse.class)))
    @KeyParameters
    @PostMapping(path = IngestPaths.COLLECT_BATCH, consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_PLAIN_VALUE},
            produces = MediaType.APPLICATION_JSON_VALUE)
    void collectBatch(HttpServletRequest request, HttpServletResponse response) {
        App app = auth.authenticate(request);
        IngestReplies.accepted(response, countingRejections(app, lease -> ingestion.ingest(app, parseCollect(request, false, lease))));
    }

    /**
     * Runs a handler with the request's share of the server's byte budget, given back once its
     * events are handed off (or refused); counts a request refused as a whole (its events were
     * never counted one by one), then rethrows.
     */
    private IngestResponse countingRejections(App app, Function<IngestByteBudget.Lease, IngestResponse> handler) {
        try (IngestByteBudget.Lease lease = budget.lease()) {
            ingestion.admit();
            return handler.apply(lease);
        } catch (ApiException e) {
            outcomes.requestRejected(app.id(), e.code());
            throw e;
        }
    }

    @RequestBody(required = true, content =
            @Content(mediaType = "application/json", schema = @Schema(implementation = IngestBodies.TelemetryBatch.class)))
    @Operation(summary = "Platform telemetry batch (seed 001)",
            description = "`{\"app\", \"release\", \"events\": [{\"type\": \"page|event|error|api|perf\", \"name\", \"ts\", \"props\"}]}`; "
                    + "page → pageview, perf → web-vital (LCP, INP, CLS, FCP, TTFB, FID) or performance. `app` must be the key's app. "
                    + "An api item needs a URL (`name` or `props.url`) and `props.duration`.")
    @ApiResponse(responseCode = "202", description = "The accepted events are durable (journaled)", content = @Content(schema = @Schema(implementation = IngestResponse.class)))
    @KeyParameters
    @PostMapping(path = {IngestPaths.TELEMETRY_BATCH, IngestPaths.PERF_BATCH},
            consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_PLAIN_VALUE}, produces = MediaType.APPLICATION_JSON_VALUE)
    void telemetryBatch(HttpServletRequest request, HttpServletResponse response) {
        App app = auth.authenticate(request);
        IngestReplies.accepted(response, countingRejections(app, lease -> telemetryBatchAuthenticated(app, request, lease)));
    }

    private IngestResponse telemetryBatchAuthenticated(App app, HttpServletRequest request, IngestByteBudget.Lease lease) {
        byte[] body = bodies.read(request, lease);
        lease.takeForEvents(body.length);
        String ua = request.getHeader("User-Agent");
        long now = clock.millis();
        // the envelope's app/release come before or after the events: collect raw events, map after
        List<Object[]> raw = new ArrayList<>();
        List<Drop> drops = new ArrayList<>();
        Map<String, Object> top = new HashMap<>();
        int total = json.readBatch(body, (event, index, size) -> raw.add(new Object[]{event, index, size}), drops, top);
        Object appField = top.get("app");
        if (!(appField instanceof String appId) || appId.isBlank()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "VALIDATION_FAILED", "field 'app' (the app id) is required");
        }
        if (!appId.equals(app.id())) {
            throw ApiException.forbidden("APP_MISMATCH", "app '" + RequestBodies.truncate(appId) + "' is not the app of the ingest key");
        }
        String release = top.get("release") instanceof String r && !r.isBlank() ? r : null;
        List<Event> events = new ArrayList<>(raw.size());
        for (Object[] r : raw) {
            @SuppressWarnings("unchecked")
            Map<String, Object> event = (Map<String, Object>) r[0];
            int index = (Integer) r[1];
            try {
                events.add(TelemetryMapping.fromTelemetry(new FieldReader(event), appId, release, index, (Integer) r[2], ua, now));
            } catch (FieldReader.FieldError e) {
                drops.add(new Drop(index, DropReason.INVALID, e.code(), e.getMessage()));
            }
        }
        return ingestion.ingest(app, new ParsedEvents(events, drops, total));
    }

    @Operation(summary = "Analytics event (seed 002)",
            description = "One `AnalyticsEvent` as protobuf (application/protobuf, application/x-protobuf) or proto3 JSON "
                    + "(application/json). Schema: GET /api/event/schema.proto. Typed events are stored as custom events named in "
                    + "snake_case; error_occurred also as an error (so accepted may be 2).")
    @ApiResponse(responseCode = "202", description = "The accepted events are durable (journaled)", content = @Content(schema = @Schema(implementation = IngestResponse.class)))
    @ApiResponse(responseCode = "422", description = "The event is invalid", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @KeyParameters
    @PostMapping(path = IngestPaths.ANALYTICS_EVENT, consumes = {PROTOBUF, X_PROTOBUF, MediaType.APPLICATION_JSON_VALUE},
            produces = MediaType.APPLICATION_JSON_VALUE)
    void analyticsEvent(HttpServletRequest request, HttpServletResponse response) {
        App app = auth.authenticate(request);
        IngestReplies.accepted(response, countingRejections(app, lease -> analyticsEventAuthenticated(app, request, lease)));
    }

    private IngestResponse analyticsEventAuthenticated(App app, HttpServletRequest request, IngestByteBudget.Lease lease) {
        byte[] body = bodies.read(request, lease);
        if (body.length > json.maxEventBytes()) {
            throw ApiException.tooLarge("an analytics event is at most " + json.maxEventBytes() + " bytes");
        }
        lease.takeForEvents(body.length);
        AnalyticsEvent message = decode(body, request.getContentType());
        List<Event> events;
        try {
            events = AnalyticsMapping.toEvents(message, app.id(), body.length, request.getHeader("User-Agent"), clock.millis());
        } catch (FieldReader.FieldError e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "VALIDATION_FAILED", e.getMessage(),
                    List.of(new IngestResponse.Error(0, e.code(), e.getMessage())), null);
        }
        if (!events.getFirst().appId().equals(app.id())) {
            throw ApiException.forbidden("APP_MISMATCH", "context.app_id is not the app of the ingest key");
        }
        IngestResponse result = ingestion.ingest(app, new ParsedEvents(events, new ArrayList<>(), events.size()));
        return refuseWhenTheOnlyEventIsInvalid(result);
    }

    private static AnalyticsEvent decode(byte[] body, String contentType) {
        boolean isJson = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(MediaType.APPLICATION_JSON_VALUE);
        try {
            if (isJson) {
                AnalyticsEvent.Builder builder = AnalyticsEvent.newBuilder();
                // strict decoding: new String(...) would turn invalid UTF-8 into U+FFFD and store it,
                // where every other JSON ingest body answers 400 for it
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(body)).toString();
                JsonFormat.parser().ignoringUnknownFields().merge(text, builder);
                return builder.build();
            }
            return AnalyticsEvent.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.malformed(isJson ? "the body is not a valid proto3 JSON AnalyticsEvent: "
                    + RequestBodies.truncate(withoutExceptionClass(e.getMessage()))
                    : "the body is not a valid protobuf AnalyticsEvent");
        } catch (CharacterCodingException e) {
            throw ApiException.malformed("the body is not valid JSON: invalid UTF-8");
        } catch (RuntimeException e) {
            // JsonFormat reports some malformed JSON as unchecked exceptions
            throw ApiException.malformed("the body is not a valid proto3 JSON AnalyticsEvent");
        }
    }

    /**
     * JsonFormat passes Gson's errors on as "java.io.EOFException: End of input at line 1...":
     * keep the useful part, not the library's class names (API.md: a human sentence).
     */
    static String withoutExceptionClass(String message) {
        return message == null ? null : JAVA_EXCEPTION_PREFIX.matcher(message).replaceAll("");
    }

    private static final Pattern JAVA_EXCEPTION_PREFIX =
            Pattern.compile("(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ");

    @Operation(summary = "The .proto schema of POST /api/event")
    @GetMapping(path = IngestPaths.ANALYTICS_SCHEMA, produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<byte[]> schema() {
        return ResponseEntity.ok().contentType(new MediaType("text", "plain", StandardCharsets.UTF_8)).body(schema);
    }

    /** Documents the three ways to present an ingest key. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @Parameter(name = IngestAuth.KEY_HEADER, in = ParameterIn.HEADER, description = "The app's ingest key "
            + "(or Authorization: Bearer <key>, or ?key=<key>)", schema = @Schema(type = "string"))
    @Parameter(name = "key", in = ParameterIn.QUERY, description = "The ingest key, for navigator.sendBeacon",
            schema = @Schema(type = "string"))
    @Parameter(name = "Content-Encoding", in = ParameterIn.HEADER, description = "gzip, deflate or br (optional)",
            schema = @Schema(type = "string", allowableValues = {"gzip", "deflate", "br"}))
    @interface KeyParameters {
    }
}
