package dev.traceflow.builds.internal.git;

/** A repository that could not be read; the message says why in a sentence without secrets. */
public final class GitUnavailable extends RuntimeException {

    public GitUnavailable(String message) {
        super(message, null, false, false);
    }
}
