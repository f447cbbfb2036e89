package dev.traceflow.alerts;

import java.time.Duration;

/**
 * How one attempt ended, as the channel's sender judged it.
 *
 * @param kind       delivered, worth retrying, or final
 * @param detail     a few words for the record ({@code HTTP 503}); never a secret
 * @param retryAfter the receiver's {@code Retry-After}, or null
 */
record AttemptOutcome(Kind kind, String detail, Duration retryAfter) {

    enum Kind { DELIVERED, RETRY, FINAL }

    private static final int MAX_DETAIL = 200;

    AttemptOutcome {
        // details may quote a server's reply: one short line
        detail = detail.replaceAll("[\\r\\n\\t]+", " ").strip();
        if (detail.length() > MAX_DETAIL) {
            detail = detail.substring(0, MAX_DETAIL - 3) + "...";
        }
    }

    static AttemptOutcome delivered(String detail) {
        return new AttemptOutcome(Kind.DELIVERED, detail, null);
    }

    static AttemptOutcome retry(String detail) {
        return new AttemptOutcome(Kind.RETRY, detail, null);
    }

    static AttemptOutcome retry(String detail, Duration retryAfter) {
        return new AttemptOutcome(Kind.RETRY, detail, retryAfter);
    }

    static AttemptOutcome giveUp(String detail) {
        return new AttemptOutcome(Kind.FINAL, detail, null);
    }
}
