package dev.traceflow.realtime.internal.broker;

/**
 * Why the server closes a connection, as a WebSocket close code (4000-4999 are the application's)
 * and a reason text that names the error code, so a client can tell "resume now" from "log in again".
 */
public enum CloseReason {
    /** the token expired without a fresh one in-band, was revoked, or the account was disabled */
    UNAUTHORIZED(4001),
    /** the user has no role left on the app */
    FORBIDDEN(4003),
    /** the client fell behind on a reliable topic: reconnect and resume from lastSeq */
    SLOW_CONSUMER(4008),
    /** more connections than the user or the IP may have */
    TOO_MANY_CONNECTIONS(4029),
    /** the server is shutting down (WebSocket's "going away"): reconnect elsewhere or later */
    SHUTDOWN(1001);

    private final int code;

    CloseReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static CloseReason of(ErrorCode error) {
        return switch (error) {
            case FORBIDDEN -> FORBIDDEN;
            case SLOW_CONSUMER -> SLOW_CONSUMER;
            default -> UNAUTHORIZED;
        };
    }
}
