package dev.traceflow.builds.internal;

/**
 * A build's steps as its log and its reporter both see them: a step begins in both (the log tags the
 * lines that follow with it) and ends in the reporter, its lines sent; a build that stops says why in
 * its log before its step ends.
 */
final class StageLog {

    private final BuildReporter reporter;
    private final LogBuffer log;

    StageLog(BuildReporter reporter, LogBuffer log) {
        this.reporter = reporter;
        this.log = log;
    }

    void begin(String stage) {
        log.stage(stage);
        reporter.stageStarted(stage);
    }

    /**
     * The step succeeded: its lines are sent, then it ends.
     *
     * @throws StepFailed {@code canceled} when the build was canceled meanwhile (the step does not end then)
     */
    void end(String stage, BuildExecutor.Execution execution) throws StepFailed {
        log.flush();
        if (execution.canceled()) {
            throw new StepFailed("canceled", "canceled");
        }
        reporter.stageEnded(stage, "success");
    }

    /** The last step succeeded: it ends, then the build's last lines are sent. */
    void endLast(String stage) {
        reporter.stageEnded(stage, "success");
        log.flush();
    }

    /** The build stopped in {@code stage} (null: before its first step) with {@code status}: a last error line, then the step ends so. */
    void stopped(String stage, String status, String message) {
        log.error(stage + " " + (status.equals(Build.CANCELED) ? "canceled" : "failed: " + message));
        log.flush();
        if (stage != null) {
            reporter.stageEnded(stage, status);
        }
    }
}
