package dev.traceflow.realtime.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.RealtimePaths;
import dev.traceflow.realtime.internal.broker.Broker;
import dev.traceflow.realtime.internal.broker.PublishRefused;
import dev.traceflow.realtime.internal.broker.Published;
import dev.traceflow.realtime.internal.broker.TopicNames;
import dev.traceflow.realtime.internal.broker.WireFormat;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /api/realtime/publish}: a backend publishes to its app's topic through the same
 * sequencing as clients, with the app's secret server key. The key is checked before the body is
 * read, and the body is read only up to the message size, so a caller without a key cannot make
 * the server read much of anything.
 */
@RestController
@Tag(name = "Realtime")
class RealtimePublishController {

    private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final Set<String> FIELDS = Set.of("topic", "payload", "id");

    private final Broker broker;
    private final RealtimeAuthenticator authenticator;
    private final int maxBodyBytes;

    RealtimePublishController(Broker broker, RealtimeAuthenticator authenticator, TraceFlowProperties properties) {
        this.broker = broker;
        this.authenticator = authenticator;
        // the payload may be the whole message size; topic, id and the JSON around them come on top
        this.maxBodyBytes = properties.realtime().maxMessageBytes() + 1024;
    }

    @Schema(name = "RealtimePublish")
    record PublishBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = TopicNamesDoc.TEXT) String topic,
                       @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "Any JSON value, null included") Object payload,
                       @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "1-128 characters; a repeated id within the "
                               + "idempotency window (2 minutes) is answered with the first outcome and not sequenced again") String id) {
    }

    /** @param duplicate true when the id was already sequenced: seq is the first time's */
    record PublishAnswer(String topic, String id, long seq, String epoch, boolean duplicate) {
    }

    static final class TopicNamesDoc {
        static final String TEXT = "The topic, relative to the key's app: 1-128 of A-Z a-z 0-9 _ - . : @ (orders:42, notice:global)";
    }

    @PostMapping(RealtimePaths.PUBLISH)
    @Operation(summary = "Publish an event to a topic of the key's app",
            description = "Authenticated by the app's secret realtime server key (`Authorization: Bearer trs_...`; create one with "
                    + "POST /api/apps/{appId}/realtime/keys `{\"kind\":\"server\"}`). The event gets the topic's next `seq` (gapless, "
                    + "shared with clients' publishes), is kept in the topic's history for resume, and goes to every subscriber as "
                    + "`{type:'event', topic, payload, id, seq, ts}`. A server key reaches every topic of its app, whatever the "
                    + "topic rules say. The answer says where the event stands; `duplicate: true` when this `id` was already "
                    + "published within the idempotency window (nothing is sent again). The body is at most the realtime message "
                    + "size (64 KiB by default) plus 1 KiB.",
            security = @SecurityRequirement(name = "RealtimeServerKey"),
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = "application/json", schema = @Schema(implementation = PublishBody.class))))
    PublishAnswer publish(HttpServletRequest request) throws IOException {
        String appId = authenticator.appOfServerKey(serverKey(request)).orElseThrow(() -> ApiException.unauthorized(
                "A realtime server key is required: Authorization: Bearer trs_... (the ingest key and browser keys never publish)"));
        JsonNode body = body(request);
        JsonNode topic = body.get("topic");
        if (topic == null || !topic.isString() || !TopicNames.valid(topic.stringValue())) {
            throw ApiException.invalid("topic is required: " + TopicNames.rule());
        }
        if (TopicNames.reserved(topic.stringValue())) {
            throw ApiException.forbidden("FORBIDDEN_TOPIC", "Topics starting with " + TopicNames.RESERVED_PREFIX
                    + " are the server's own: subscribe to them, publish on your own topics");
        }
        JsonNode id = body.get("id");
        if (id == null || !id.isString() || id.stringValue().isEmpty() || id.stringValue().length() > WireFormat.MAX_ID_CHARS
                || id.stringValue().chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid("id is required: 1-" + WireFormat.MAX_ID_CHARS + " characters, no control characters");
        }
        if (!body.has("payload")) {
            throw ApiException.invalid("payload is required (any JSON value, null included)");
        }
        try {
            Published p = broker.publish(appId, topic.stringValue(), WireFormat.payloadJson(body.get("payload")), id.stringValue());
            return new PublishAnswer(p.topic(), p.id(), p.seq(), p.epoch(), p.duplicate());
        } catch (PublishRefused e) {
            throw switch (e.code()) {
                case MESSAGE_TOO_LARGE -> new ApiException(HttpStatus.CONTENT_TOO_LARGE, "MESSAGE_TOO_LARGE", e.getMessage());
                case UNAVAILABLE -> new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", e.getMessage(), List.of(), 5);
                default -> new ApiException(HttpStatus.TOO_MANY_REQUESTS, e.code().name(), e.getMessage(), List.of(), 1);
            };
        }
    }

    private static String serverKey(HttpServletRequest request) {
        return RealtimeAuthenticator.credential(request.getHeader(HttpHeaders.AUTHORIZATION), null);
    }

    private JsonNode body(HttpServletRequest request) throws IOException {
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes(maxBodyBytes + 1);
        }
        if (bytes.length > maxBodyBytes) {
            throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "MESSAGE_TOO_LARGE", "The body may have at most " + maxBodyBytes + " bytes");
        }
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.malformed("The body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw ApiException.malformed("The body is a JSON object {topic, payload, id}");
        }
        for (String name : body.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw ApiException.malformed("Unknown field '" + ApiException.excerpt(name) + "': the body is {topic, payload, id}");
            }
        }
        return body;
    }
}
