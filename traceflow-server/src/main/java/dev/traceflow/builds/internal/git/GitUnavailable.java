package dev.traceflow.builds.internal.git;

/** A repository that could not be read; the message says why in a sentence without secrets. */
public final class GitUnavailable extends RuntimeException {

    /** Why, for the status of the answer: the source's own settings, or the server. */
    public enum Cause {
        /** the server could not be reached or read (its fault, or the network's) */
        SERVER,
        /** the server refused the source's credential (or wants one) */
        AUTHENTICATION,
        /** the ssh server showed a host key other than the source's */
        HOST_KEY
    }

    private final Cause cause;

    public GitUnavailable(String message) {
        this(Cause.SERVER, message);
    }

    public GitUnavailable(Cause cause, String message) {
        super(message, null, false, false);
        this.cause = cause;
    }

    public Cause kind() {
        return cause;
    }
}
