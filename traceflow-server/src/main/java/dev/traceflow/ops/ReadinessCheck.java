package dev.traceflow.ops;

import java.util.Map;

/**
 * A dependency a feature adds to readiness ({@code /health}) when it is configured, e.g. the Redis
 * that realtime instances share. {@link #check} throws when the dependency does not answer now; the
 * exception's simple name is the reason shown (never its message: it may name a host or a credential).
 */
public interface ReadinessCheck {

    /** the component's name in {@code /health} */
    String name();

    /** what it is ({@code redis}) */
    String backend();

    void check();

    /**
     * What {@code /health} shows of it beside its state (the build queue's counts, say), read by
     * the same call that checks it; the default only checks.
     */
    default Map<String, Object> status() {
        check();
        return Map.of();
    }
}
