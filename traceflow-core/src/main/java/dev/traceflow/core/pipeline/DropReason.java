package dev.traceflow.core.pipeline;

/**
 * Why an event was not stored. The wire names are the ingest outcome reasons of API.md
 * ({@code GET /api/ingest/stats}), plus {@code filtered} for configurable drop rules.
 */
public enum DropReason {
    INVALID("invalid"),
    SAMPLED_OUT("sampled_out"),
    BOT("bot"),
    RATE_LIMITED("rate_limited"),
    TOO_LARGE("too_large"),
    DUPLICATE("duplicate"),
    FILTERED("filtered");

    private final String wireName;

    DropReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
