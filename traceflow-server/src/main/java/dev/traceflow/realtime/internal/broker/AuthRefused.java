package dev.traceflow.realtime.internal.broker;

/** A credential that does not (or no longer) let a connection in; never carries the token. */
public final class AuthRefused extends Exception {

    private final ErrorCode code;

    public AuthRefused(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
