package dev.traceflow.builds.internal;

/** A build step failed: the build fails (or, for {@code canceled}, is canceled) with {@link #reason}. */
final class StepFailed extends Exception {

    /** the build's failure reason, as API.md names it ({@code fetch_failed}, {@code replace_failed}, {@code canceled}...) */
    final String reason;

    StepFailed(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }
}
