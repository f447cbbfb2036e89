package dev.traceflow.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The test server's clock: the system's time plus whatever tests moved it forward, and frozen
 * while a test holds it still. Tests that check a time-based rule (a token bucket's refill, a
 * token's expiry) hold it and move it by hand instead of sleeping through the window, so the
 * outcome does not depend on how fast a busy machine answers requests.
 *
 * <p>It only ever moves forward: tokens the server issued stay in the past for it, however tests
 * move it. One instance serves every shared test server of a run ({@link ServerTest#CLOCK}).
 */
public final class TestClock extends Clock {

    private Duration ahead = Duration.ZERO;
    private Instant heldAt;

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public synchronized Instant instant() {
        return heldAt != null ? heldAt : Instant.now().plus(ahead);
    }

    /** Stops the clock where it is, until {@link #release}. */
    public synchronized void hold() {
        heldAt = instant();
    }

    /** Lets the clock run again, from the system time plus every move so far (never back). */
    public synchronized void release() {
        heldAt = null;
    }

    /** Moves the clock forward, held or not. */
    public synchronized void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("the test clock only moves forward");
        }
        ahead = ahead.plus(by);
        if (heldAt != null) {
            heldAt = heldAt.plus(by);
        }
    }
}
