package dev.traceflow.builds.internal.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A build's log as {@link JdbcBuildLogStore} keeps it in memory while the build runs, and a while
 * after: what masking holds back, the writers' last seq per attempt, and the last lines stored, so
 * that followers reading at every append are answered without a query. Guarded by itself.
 */
final class RunningBuildLog {

    /** A line accepted and not stored yet: masking holds it back until the next lines show it is no secret's beginning. */
    record Held(int attempt, long seq, BuildLogSink.LogLine meta, String text) {
    }

    final SecretMasker masker = new SecretMasker();
    /** by attempt: the highest seq accepted (stored or held back), so that a resend is skipped */
    final Map<Integer, Long> lastSeq = new HashMap<>();
    final List<Held> held = new ArrayList<>();
    /** the last lines stored since this state was made: cursor c in slot (c - 1) % length */
    private final StoredLine[] recent;
    /** the first cursor stored since this state was made: older lines are in the database only */
    private final long firstInMemory;
    /** how many secrets were registered, against {@link BuildLogProperties#maxSecretsPerBuild()} */
    int secrets;
    long lastCursor;
    volatile boolean ended;
    String status;
    volatile long endedAt;

    /**
     * @param recentLines how many of the last lines to keep (at least one is)
     * @param lastCursor  the build's last cursor already stored
     */
    RunningBuildLog(int recentLines, long lastCursor) {
        this.recent = new StoredLine[Math.max(1, recentLines)];
        this.lastCursor = lastCursor;
        this.firstInMemory = lastCursor + 1;
    }

    /** Under its lock: keeps lines just stored (in cursor order) among the recent ones. */
    void rememberLocked(List<StoredLine> rows) {
        for (StoredLine row : rows) {
            recent[(int) ((row.cursor() - 1) % recent.length)] = row;
        }
    }

    /** Under its lock: the lines after {@code after} that memory holds, at most {@code limit}, or null when it does not reach back that far. */
    List<StoredLine> recentLocked(long after, int limit) {
        if (after >= lastCursor) {
            return List.of();
        }
        long lowest = Math.max(firstInMemory, lastCursor - recent.length + 1);
        if (after + 1 < lowest) {
            return null;
        }
        long last = Math.min(lastCursor, after + limit);
        List<StoredLine> out = new ArrayList<>((int) (last - after));
        for (long c = after + 1; c <= last; c++) {
            out.add(recent[(int) ((c - 1) % recent.length)]);
        }
        return out;
    }
}
