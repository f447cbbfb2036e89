package dev.traceflow.realtime;

import tools.jackson.databind.JsonNode;

/**
 * Another feature's messages on the gateway's connections (a build's log stream: API.md "Builds"):
 * a client message that carries {@link #key()} (e.g. {@code {type:"subscribe", buildId}}) goes to
 * {@link #receive} instead of the topic protocol, and what the feature sends goes through the same
 * connection's bounded send queue, after the topic events queued before it.
 * <p>
 * Threads: {@link #receive} on the connection's reading thread, one message at a time; the others
 * from the gateway's threads. None of them may block for long.
 */
public interface ConnectionStreams {

    /** No streams: every message is the topic protocol's. */
    ConnectionStreams NONE = new ConnectionStreams() {
        @Override
        public String key() {
            return null;
        }

        @Override
        public void receive(StreamClient client, String type, JsonNode message) {
        }

        @Override
        public void drained(StreamClient client) {
        }

        @Override
        public void closed(StreamClient client) {
        }
    };

    /** The field that marks this feature's client messages; null for none. */
    String key();

    /** A client message with {@link #key()}: any {@code type}; the feature answers unknown ones itself. */
    void receive(StreamClient client, String type, JsonNode message);

    /**
     * The client's send queue ran empty: a good moment to send more. Called on the connection's writer
     * while it holds the connection: hand the sending to another thread, never send from here.
     */
    void drained(StreamClient client);

    /** The connection is gone: forget the client. */
    void closed(StreamClient client);
}
