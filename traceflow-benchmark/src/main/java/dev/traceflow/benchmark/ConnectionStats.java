package dev.traceflow.benchmark;

import java.io.IOException;
import java.util.TreeMap;

/**
 * What one connection observed during one phase. Written by that connection's thread only, read
 * after the thread has been joined, so plain fields suffice.
 */
final class ConnectionStats {

    /** Status codes are counted in an array indexed by code; anything outside 0..599 lands in 0. */
    private static final int STATUS_SLOTS = 600;
    /** An answer at least this late is counted in {@link #slowBySecond}. */
    static final long SLOW_NANOS = 250_000_000L;
    /** At most this many distinct seconds are kept per connection (a phase of constant overload would fill any bound). */
    static final int SLOW_SECONDS_KEPT = 600;

    final LatencyHistogram latency = new LatencyHistogram();
    /** The status of an answer that took the events (202; Sentry's endpoints answer 200). */
    private final int successStatus;
    final long[] statusCounts = new long[STATUS_SLOTS];
    long requests;
    long acceptedEvents;
    long rejectedEvents;
    /** Success answers without a readable {@code accepted} count. */
    long unreadableAnswers;
    /** Exchanges that failed with an I/O error (refused, reset, timeout, cut response). */
    long ioErrors;
    String firstError;
    /**
     * Answers of at least {@link #SLOW_NANOS} by the epoch second their request was sent (or due, in
     * an open loop): lines a stall up with the server's log, and tells one stall from slowness spread
     * over the phase.
     */
    final TreeMap<Long, Long> slowBySecond = new TreeMap<>();

    ConnectionStats() {
        this(LoadPhase.ACCEPTED);
    }

    ConnectionStats(int successStatus) {
        this.successStatus = successStatus;
    }

    /**
     * @param latencyNanos from the send (closed loop) or the scheduled send time (open loop) to the
     *                     last byte of the answer, in nanoseconds
     */
    void recordAnswer(HttpResponse response, long latencyNanos) {
        // the wall clock only for a slow answer: this runs for every answer of a load phase
        recordAnswer(response, latencyNanos, latencyNanos >= SLOW_NANOS ? System.currentTimeMillis() - latencyNanos / 1_000_000 : 0);
    }

    /** @param sentAtEpochMillis when the request was sent (open loop: due), wall clock */
    void recordAnswer(HttpResponse response, long latencyNanos, long sentAtEpochMillis) {
        requests++;
        latency.record(latencyNanos);
        if (latencyNanos >= SLOW_NANOS) {
            long second = Math.floorDiv(sentAtEpochMillis, 1000);
            if (slowBySecond.containsKey(second) || slowBySecond.size() < SLOW_SECONDS_KEPT) {
                slowBySecond.merge(second, 1L, Long::sum);
            }
        }
        int status = response.status();
        statusCounts[status >= 0 && status < STATUS_SLOTS ? status : 0]++;
        if (status == successStatus) {
            long accepted = AnswerCountScanner.accepted(response.body());
            if (accepted < 0) {
                unreadableAnswers++;
                noteError(status + " without an accepted count: " + abbreviate(response.bodyText()));
            } else {
                acceptedEvents += accepted;
                rejectedEvents += Math.max(0, AnswerCountScanner.rejected(response.body()));
            }
        } else {
            noteError("HTTP " + status + (response.retryAfter() != null ? " Retry-After " + response.retryAfter() : "")
                    + ": " + abbreviate(response.bodyText()));
        }
    }

    void recordIoError(IOException error) {
        ioErrors++;
        noteError(error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    private void noteError(String message) {
        if (firstError == null) {
            firstError = message;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
