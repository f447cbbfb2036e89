package dev.traceflow.builds.internal.run;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Where a running build's log lines go (issue 21, item 6). The durable log store implements it; the
 * worker side of the build queue calls it, after checking that the writing worker still holds the
 * build's lease for that attempt (a late write of a lost attempt never reaches it).
 */
public interface BuildLogSink {

    /**
     * Registers values that must never appear in this build's log (credential secrets, secret
     * variables): every later line is masked for them, plain, base64 and URL-encoded, also when a value
     * is split across lines or appends.
     */
    void registerSecrets(String buildId, Collection<String> secrets);

    /**
     * Stores lines of one attempt, masked, in order and durably, before returning. {@code firstSeq} is
     * the writer's own 1-based number of the first line within this attempt: lines whose (attempt, seq)
     * are already stored are skipped, so a resend after a timeout stores nothing twice.
     *
     * @return the build's last cursor after the append (cursors are gapless from 1 per build)
     */
    long append(String buildId, int attempt, long firstSeq, List<LogLine> lines);

    /**
     * The build ended with {@code status} ({@code success | fail | canceled}): releases what masking held
     * back, archives the log as one file, tells followers {@code end}.
     *
     * @return the archive's reference, kept as the build's {@code logsRef}
     */
    String finish(String buildId, String status);

    /** One line of output. level: {@code info | warn | error}; stage: fetch, replace, build, package, output, verify. */
    record LogLine(Instant ts, String level, String stage, String line) {}
}
