package dev.traceflow.builds.internal.run;

import java.util.Optional;

/**
 * What the log routes and the log followers need to know of a build, answered from the builds table
 * by the build queue (issue 21).
 */
public interface BuildDirectory {

    /** The app whose roles govern the build (its project's app), or empty when there is no such build. */
    Optional<String> appIdOf(String buildId);

    /** The build's final status ({@code success | fail | canceled}) once it has ended; empty while queued or running. */
    Optional<String> endedStatus(String buildId);
}
