package dev.traceflow.realtime;

/**
 * How other features put an event on an app's topic (an alert's realtime channel, a build's log
 * stream): the same sequencing, history and delivery as a backend's {@code POST /api/realtime/publish},
 * with the server's own authority, so no topic rule applies.
 */
public interface RealtimePublisher {

    /**
     * @param payloadJson the payload as JSON text (any JSON value)
     * @param id          the event's id: a repeat within the idempotency window is not sequenced again
     * @return the event's seq in its topic (the first one's for a repeated id)
     * @throws IllegalArgumentException for a topic name that is not one, or an id that is empty or too long
     * @throws RealtimePublishRefused   over the topic's rate, the app's topic count or the message size
     */
    long publish(String appId, String topic, String payloadJson, String id);

    /** A publish the realtime limits refused; nothing was sent. @see #publish */
    final class RealtimePublishRefused extends RuntimeException {

        private final String code;

        public RealtimePublishRefused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        /** {@code RATE_LIMITED}, {@code TOO_MANY_TOPICS} or {@code MESSAGE_TOO_LARGE}. */
        public String code() {
            return code;
        }
    }
}
