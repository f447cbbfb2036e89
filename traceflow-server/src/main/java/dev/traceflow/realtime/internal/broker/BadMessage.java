package dev.traceflow.realtime.internal.broker;

/** A client message that cannot be understood; answered with {@code BAD_MESSAGE}, the connection stays. */
final class BadMessage extends Exception {

    private final String topic;
    private final String id;

    BadMessage(String message) {
        this(message, null, null);
    }

    BadMessage(String message, String topic, String id) {
        super(message, null, false, false);
        this.topic = topic;
        this.id = id;
    }

    String topic() {
        return topic;
    }

    String id() {
        return id;
    }
}
