package dev.traceflow.realtime.internal.broker;

/** A publish that was not sequenced: {@link ErrorCode#RATE_LIMITED}, {@link ErrorCode#TOO_MANY_TOPICS}, {@link ErrorCode#MESSAGE_TOO_LARGE}. */
public final class PublishRefused extends Exception {

    private final ErrorCode code;

    public PublishRefused(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
