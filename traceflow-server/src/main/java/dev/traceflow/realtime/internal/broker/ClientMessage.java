package dev.traceflow.realtime.internal.broker;

/** A message a client sends (API.md "Realtime"), as {@link WireFormat} parsed it. */
sealed interface ClientMessage {

    /** @param lastSeq null for a fresh subscription; with {@code epoch}, the last seq the client has */
    record Subscribe(String topic, Long lastSeq, String epoch) implements ClientMessage {
    }

    record Unsubscribe(String topic) implements ClientMessage {
    }

    /** @param payloadJson the payload as compact JSON text, any JSON value */
    record Publish(String topic, String payloadJson, String id) implements ClientMessage {
    }

    /** Cumulative: every event of the topic up to and including {@code seq} has arrived. */
    record Ack(String topic, long seq) implements ClientMessage {
    }

    record Ping() implements ClientMessage {
    }

    /** Another feature's message (it carries that feature's key field, such as {@code buildId}): for its {@code ConnectionStreams}. */
    record Stream(String type, tools.jackson.databind.JsonNode message) implements ClientMessage {
    }

    /** A fresh access token, before the connection's one expires. */
    record Auth(String token) implements ClientMessage {
    }
}
