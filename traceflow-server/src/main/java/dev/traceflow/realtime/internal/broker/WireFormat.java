package dev.traceflow.realtime.internal.broker;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Set;

/**
 * API.md's realtime messages as JSON text, the same on every transport. Parsing is strict: an
 * object with a known {@code type}, the fields that type has and no others (a misspelt
 * {@code lastseq} would otherwise silently turn a resume into a fresh subscription), each of its
 * JSON type. A publish may carry seed 001's {@code seq}, which is ignored: the server numbers events.
 */
public final class WireFormat {

    public static final int MAX_ID_CHARS = 128;
    public static final int MAX_EPOCH_CHARS = 32;
    public static final int MAX_TOKEN_CHARS = 8192;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // the payload goes out as it came in: 1.10 stays 1.10, 2^70 stays exact
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private static final Map<String, Set<String>> FIELDS = Map.of(
            "subscribe", Set.of("type", "topic", "lastSeq", "epoch"),
            "unsubscribe", Set.of("type", "topic"),
            "publish", Set.of("type", "topic", "payload", "id", "seq"),
            "ack", Set.of("type", "topic", "seq"),
            "ping", Set.of("type"),
            "auth", Set.of("type", "token"));

    private WireFormat() {
    }

    /** Each client message type with the fields it may have (the AsyncAPI document is checked against it). */
    static Map<String, Set<String>> clientMessageFields() {
        return FIELDS;
    }

    static ClientMessage parse(String text) throws BadMessage {
        return parse(text, null);
    }

    /** @param streamKey a field that makes a message another feature's ({@link ClientMessage.Stream}); null for none */
    static ClientMessage parse(String text, String streamKey) throws BadMessage {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new BadMessage("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadMessage("a message is a JSON object with a type");
        }
        JsonNode typeNode = root.get("type");
        if (typeNode == null || !typeNode.isString()) {
            throw new BadMessage("type is required: subscribe, unsubscribe, publish, ack, ping or auth");
        }
        String type = typeNode.stringValue();
        if (streamKey != null && root.has(streamKey)) {
            return new ClientMessage.Stream(type, root);
        }
        Set<String> allowed = FIELDS.get(type);
        if (allowed == null) {
            throw new BadMessage("unknown type '" + excerpt(type) + "': subscribe, unsubscribe, publish, ack, ping or auth");
        }
        String topic = root.get("topic") != null && root.get("topic").isString() ? root.get("topic").stringValue() : null;
        String id = root.get("id") != null && root.get("id").isString() ? root.get("id").stringValue() : null;
        for (String name : root.propertyNames()) {
            if (!allowed.contains(name)) {
                throw new BadMessage("unknown field '" + excerpt(name) + "' in " + type, safe(topic), safe(id));
            }
        }
        return switch (type) {
            case "subscribe" -> new ClientMessage.Subscribe(topic(root), optionalSeq(root, "lastSeq", topic), epoch(root, topic));
            case "unsubscribe" -> new ClientMessage.Unsubscribe(topic(root));
            case "publish" -> publish(root);
            case "ack" -> new ClientMessage.Ack(topic(root), requiredSeq(root, topic));
            case "ping" -> new ClientMessage.Ping();
            case "auth" -> new ClientMessage.Auth(token(root));
            default -> throw new IllegalStateException(type);
        };
    }

    private static ClientMessage.Publish publish(JsonNode root) throws BadMessage {
        String topic = topic(root);
        JsonNode id = root.get("id");
        if (id == null || !id.isString() || id.stringValue().isEmpty() || id.stringValue().length() > MAX_ID_CHARS
                || id.stringValue().chars().anyMatch(Character::isISOControl)) {
            throw new BadMessage("id is required: 1-" + MAX_ID_CHARS + " characters, no control characters", topic, null);
        }
        JsonNode payload = root.get("payload");
        if (payload == null) {
            throw new BadMessage("payload is required (any JSON value, null included)", topic, id.stringValue());
        }
        JsonNode seq = root.get("seq");
        if (seq != null && !seq.isIntegralNumber()) {
            throw new BadMessage("seq, when given, is a whole number (and is ignored: the server numbers events)", topic, id.stringValue());
        }
        return new ClientMessage.Publish(topic, JSON.writeValueAsString(payload), id.stringValue());
    }

    private static String topic(JsonNode root) throws BadMessage {
        JsonNode topic = root.get("topic");
        if (topic == null || !topic.isString()) {
            throw new BadMessage("topic is required");
        }
        if (!TopicNames.valid(topic.stringValue())) {
            throw new BadMessage("invalid topic: " + TopicNames.rule(), excerpt(topic.stringValue()), null);
        }
        return topic.stringValue();
    }

    private static Long optionalSeq(JsonNode root, String field, String topic) throws BadMessage {
        JsonNode seq = root.get(field);
        if (seq == null || seq.isNull()) {
            return null;
        }
        if (!seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 0) {
            throw new BadMessage(field + " is a whole number >= 0", topic, null);
        }
        return seq.longValue();
    }

    private static long requiredSeq(JsonNode root, String topic) throws BadMessage {
        Long seq = optionalSeq(root, "seq", topic);
        if (seq == null) {
            throw new BadMessage("seq is required: the highest seq received of the topic", topic, null);
        }
        return seq;
    }

    private static String epoch(JsonNode root, String topic) throws BadMessage {
        JsonNode epoch = root.get("epoch");
        if (epoch == null || epoch.isNull()) {
            return null;
        }
        if (!epoch.isString() || epoch.stringValue().length() > MAX_EPOCH_CHARS) {
            throw new BadMessage("epoch is the string a subscribed message gave", topic, null);
        }
        return epoch.stringValue();
    }

    private static String token(JsonNode root) throws BadMessage {
        JsonNode token = root.get("token");
        if (token == null || !token.isString() || token.stringValue().isBlank() || token.stringValue().length() > MAX_TOKEN_CHARS) {
            throw new BadMessage("token is required: a fresh access token");
        }
        return token.stringValue();
    }

    /** A payload given as a JSON value by a backend (HTTP publish), as compact JSON text. */
    public static String payloadJson(JsonNode payload) {
        return JSON.writeValueAsString(payload);
    }

    // ---- server -> client ----

    /** The event as every subscriber gets it: built once per event, sent as is to each. */
    static String event(String topic, String payloadJson, String id, long seq, long ts) {
        return "{\"type\":\"event\",\"topic\":" + quote(topic) + ",\"payload\":" + payloadJson + ",\"id\":" + quote(id)
                + ",\"seq\":" + seq + ",\"ts\":" + ts + "}";
    }

    /** An event as {@link #event} wrote it, read back from a {@link TopicStore}. */
    static PublishedEvent storedEvent(String json) {
        JsonNode node = JSON.readTree(json);
        return new PublishedEvent(node.path("seq").asLong(), node.path("id").asString(), node.path("ts").asLong(), json);
    }

    static String subscribed(String topic, long seq, String epoch, boolean recovered) {
        return "{\"type\":\"subscribed\",\"topic\":" + quote(topic) + ",\"seq\":" + seq + ",\"epoch\":" + quote(epoch)
                + ",\"recovered\":" + recovered + "}";
    }

    /** The publisher's answer: its event is sequenced (or was, the first time this id came). */
    static String ack(String id, String topic, long seq) {
        return "{\"type\":\"ack\",\"id\":" + quote(id) + ",\"topic\":" + quote(topic) + ",\"seq\":" + seq + "}";
    }

    static String pong() {
        return "{\"type\":\"pong\"}";
    }

    /** @param expiresAtMillis when the new token expires (epoch ms), or null when it does not */
    static String authenticated(Long expiresAtMillis) {
        return "{\"type\":\"authenticated\",\"expiresAt\":" + expiresAtMillis + "}";
    }

    public static String error(ErrorCode code, String message, String topic, String id) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "error");
        node.put("code", code.name());
        node.put("message", message);
        if (topic != null) {
            node.put("topic", topic);
        }
        if (id != null) {
            node.put("id", id);
        }
        return JSON.writeValueAsString(node);
    }

    private static String quote(String s) {
        return JSON.writeValueAsString(s);
    }

    private static String safe(String value) {
        return value == null ? null : excerpt(value);
    }

    static String excerpt(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "..." : value;
    }
}
