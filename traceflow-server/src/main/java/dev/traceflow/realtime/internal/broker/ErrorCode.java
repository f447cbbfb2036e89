package dev.traceflow.realtime.internal.broker;

/** The {@code code} of a {@code {type:'error'}} message (API.md "Realtime" names the first six). */
public enum ErrorCode {
    /** the token is missing, bad or expired; on a connection: also its close reason */
    UNAUTHORIZED,
    /** the connection's role or the app's topic rules do not allow this topic */
    FORBIDDEN_TOPIC,
    /** too many messages per second from this connection, or publishes to this topic */
    RATE_LIMITED,
    /** the connection fell too far behind on a reliable topic; it is closed, and resumes from its lastSeq */
    SLOW_CONSUMER,
    MESSAGE_TOO_LARGE,
    /** not JSON, not an object, an unknown type, a missing or invalid field, a binary frame */
    BAD_MESSAGE,
    /** more topics than a connection may subscribe to */
    TOO_MANY_SUBSCRIPTIONS,
    /** the app has as many topics as it may have; an existing one still works */
    TOO_MANY_TOPICS,
    /** the connection's user lost every role on the app (closes the connection) */
    FORBIDDEN,
    /** the server is going away (its close reason too): reconnect and resume */
    SHUTTING_DOWN,
    /** the store the server's instances share (Redis) cannot be reached: nothing was sequenced, try again */
    UNAVAILABLE
}
