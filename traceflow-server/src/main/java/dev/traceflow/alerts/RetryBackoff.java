package dev.traceflow.alerts;

import java.time.Duration;

/**
 * The wait before the next attempt: {@code base * 2^(n-1)} after the n-th failed attempt, capped at
 * {@code max}, of which a random half is taken off ("equal jitter": many deliveries that failed
 * together, as when a receiver was down, do not all come back at the same moment). A receiver's
 * {@code Retry-After} is honoured up to the cap.
 */
record RetryBackoff(Duration base, Duration max) {

    /**
     * @param failedAttempts attempts made so far, at least 1
     * @param retryAfter     the receiver's {@code Retry-After}, or null
     * @param jitter         a random number in [0, 1)
     */
    Duration delay(int failedAttempts, Duration retryAfter, double jitter) {
        long maxMillis = max.toMillis();
        int doublings = Math.min(failedAttempts - 1, 40);
        long exponential = base.toMillis() > (maxMillis >> doublings) ? maxMillis : Math.min(maxMillis, base.toMillis() << doublings);
        long millis = exponential / 2 + (long) (jitter * (exponential - exponential / 2));
        if (retryAfter != null) {
            millis = Math.max(millis, retryAfter.toMillis());
        }
        return Duration.ofMillis(Math.min(millis, maxMillis));
    }
}
