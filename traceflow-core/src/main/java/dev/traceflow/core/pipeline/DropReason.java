package dev.traceflow.core.pipeline;

/**
 * Why an event was not stored. The wire names are the ingest outcome reasons of API.md
 * ({@code GET /api/ingest/stats}), plus {@code filtered} for configurable drop rules and three
 * for requests the server could not take: {@code overloaded} (the storage queue was full: 503
 * OVERLOADED), {@code storage_timeout} (the journal did not confirm within the commit timeout: 503
 * STORAGE_TIMEOUT; such events may still be stored a moment later, and then count as accepted
 * too, which a retry with the same eventIds turns into duplicates) and {@code storage_failed} (the
 * journal could not be written: 503 STORAGE_UNAVAILABLE, nothing stored).
 */
public enum DropReason {
    INVALID("invalid"),
    SAMPLED_OUT("sampled_out"),
    BOT("bot"),
    RATE_LIMITED("rate_limited"),
    TOO_LARGE("too_large"),
    DUPLICATE("duplicate"),
    FILTERED("filtered"),
    /** The user opted out of tracking, or the request carried Do Not Track / Global Privacy Control for an app that honours it. */
    OPTED_OUT("opted_out"),
    OVERLOADED("overloaded"),
    STORAGE_TIMEOUT("storage_timeout"),
    STORAGE_FAILED("storage_failed"),
    /**
     * Discarded by the client itself before sending, for a reason TraceFlow has no name of its own for
     * (a Sentry SDK's client report: its queue overflowed, the network failed...). Never a server decision.
     */
    CLIENT_DISCARDED("client_discarded");

    private final String wireName;

    DropReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
