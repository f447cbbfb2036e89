package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildLogSink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Where a running build's executor reports to: straight to the queue and the log sink for an
 * in-process worker, over the worker API for a remote one. Every call is made for the claimed
 * attempt and fails with {@link JdbcBuilds.LeaseLost} once that attempt lost the build.
 */
interface BuildReporter {

    void secrets(Collection<String> secrets);

    void stageStarted(String stage);

    /** @param status {@code success | fail | canceled} */
    void stageEnded(String stage, String status);

    /** @param firstSeq the attempt's own 1-based number of the first line */
    void logs(long firstSeq, List<BuildLogSink.LogLine> lines);

    /**
     * Stores the packed archive; the store then reads back what it stored and checks it against
     * {@code sha256} and the archive's manifest.
     *
     * @return the artifact's reference
     * @throws ArtifactPackager.BadArchive when what was stored does not verify (nothing is kept)
     */
    String artifact(Path archive, String sha256, long size) throws IOException, ArtifactPackager.BadArchive;

    /** Extends the lease. @return whether a cancel was asked for */
    boolean heartbeat();
}
