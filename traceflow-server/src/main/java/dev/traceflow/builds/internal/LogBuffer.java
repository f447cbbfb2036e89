package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildLogSink;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A running build's log lines on their way to the reporter: numbered per attempt from 1, sent in
 * batches (every {@link #BATCH} lines, and whenever the executor flushes: at each step's end and on
 * each heartbeat), so that a chatty command costs one store write per batch, not per line. A batch
 * that failed to send is kept and sent again with the same numbers; the sink skips what it stored.
 */
final class LogBuffer {

    static final int BATCH = 200;
    /** A line longer than this is cut (the rest would only fill the store). */
    static final int MAX_LINE = 8192;

    private final BuildReporter reporter;
    private final Clock clock;
    private final List<BuildLogSink.LogLine> pending = new ArrayList<>();
    private long nextSeq = 1;
    private String stage = "fetch";
    private int autoFlushAt = BATCH;

    LogBuffer(BuildReporter reporter, Clock clock) {
        this.reporter = reporter;
        this.clock = clock;
    }

    synchronized void stage(String stage) {
        this.stage = stage;
    }

    synchronized void info(String line) {
        add("info", line);
    }

    synchronized void error(String line) {
        add("error", line);
    }

    /**
     * Adds a line; sends the batch once {@link #BATCH} lines wait. Never throws: it runs on the
     * thread that reads the command's output, which must keep reading. A batch that could not be
     * sent (the server did not answer, or the lease was lost) stays pending, and the next explicit
     * {@link #flush} (the worker's ticker, each step's end) sends it or reports the failure; meanwhile
     * another automatic send is tried only after one more batch. What waits is bounded by the
     * command's output limit.
     */
    synchronized void add(String level, String line) {
        String cut = line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + " [cut]" : line;
        pending.add(new BuildLogSink.LogLine(clock.instant(), level, stage, cut));
        if (pending.size() >= autoFlushAt) {
            try {
                flush();
            } catch (RuntimeException e) {
                autoFlushAt = pending.size() + BATCH;
            }
        }
    }

    /**
     * Sends what is pending, in order.
     *
     * @throws JdbcBuilds.LeaseLost when the attempt lost the build
     * @throws RuntimeException     when a batch could not be sent (it stays pending, with its numbers)
     */
    synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        // in batches of at most BATCH lines, also after a time without answers (the worker API takes 1000 at most)
        while (!pending.isEmpty()) {
            List<BuildLogSink.LogLine> batch = List.copyOf(pending.subList(0, Math.min(BATCH, pending.size())));
            reporter.logs(nextSeq, batch);
            nextSeq += batch.size();
            pending.subList(0, batch.size()).clear();
        }
        autoFlushAt = BATCH;
    }
}
