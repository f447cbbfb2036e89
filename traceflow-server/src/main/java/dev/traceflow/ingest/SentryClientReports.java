package dev.traceflow.ingest;

import dev.traceflow.core.pipeline.DropReason;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Sentry SDK's client reports (develop.sentry.dev "Client Reports"): the events it discarded
 * itself, by reason and category, added to the app's ingest outcomes so that
 * {@code /api/ingest/stats} shows what never reached the server too. Sentry's reasons map onto
 * TraceFlow's outcomes where they mean the same, and onto {@code client_discarded} where TraceFlow
 * has no such reason:
 *
 * <table>
 *   <caption>Sentry discard reason → ingest outcome</caption>
 *   <tr><td>{@code sample_rate}</td><td>{@code sampled_out}</td></tr>
 *   <tr><td>{@code ratelimit_backoff}</td><td>{@code rate_limited}</td></tr>
 *   <tr><td>{@code before_send}, {@code event_processor}, {@code ignored}</td><td>{@code filtered}</td></tr>
 *   <tr><td>{@code queue_overflow}, {@code buffer_overflow}, {@code network_error}, {@code send_error},
 *       {@code internal_sdk_error}, any other</td><td>{@code client_discarded}</td></tr>
 * </table>
 *
 * Only categories that would have been TraceFlow events count ({@code error}, {@code default},
 * {@code transaction}, {@code session}); the others (attachments, spans, replays, profiles, logs)
 * are counted by the {@code traceflow.ingest.sentry.client.discarded} metric alone.
 */
final class SentryClientReports {

    /** The quantity of one entry is taken up to this: a report is the client's word, not a way to fill the stats. */
    static final long MAX_QUANTITY = 1_000_000;
    static final Set<String> EVENT_CATEGORIES = Set.of("error", "default", "transaction", "session");
    static final Set<String> KNOWN_REASONS = Set.of("sample_rate", "ratelimit_backoff", "before_send", "event_processor",
            "ignored", "queue_overflow", "buffer_overflow", "network_error", "send_error", "internal_sdk_error", "cache_overflow",
            "backpressure", "insufficient_data", "invalid");
    static final Set<String> KNOWN_CATEGORIES = Set.of("error", "default", "transaction", "session", "attachment", "span",
            "replay", "profile", "profile_chunk", "log_item", "log_byte", "monitor", "feedback", "security", "metric_bucket");

    /**
     * One entry of a report.
     *
     * @param reason   Sentry's reason as sent
     * @param category Sentry's data category as sent
     * @param outcome  the ingest outcome it counts as, or null when its category is no TraceFlow event
     */
    record Discard(String reason, String category, long quantity, String outcome) {
    }

    private SentryClientReports() {
    }

    /** The report's {@code discarded_events}; entries without a reason, a category or a positive quantity are left out. */
    static List<Discard> discards(FieldReader report) {
        List<Discard> discards = new ArrayList<>();
        List<?> entries = report.array("discarded_events");
        if (entries == null) {
            return discards;
        }
        for (Object o : entries) {
            if (o instanceof Map<?, ?> entry && entry.get("reason") instanceof String reason
                    && entry.get("category") instanceof String category && entry.get("quantity") instanceof Number n
                    && n.longValue() > 0) {
                long quantity = Math.min(n.longValue(), MAX_QUANTITY);
                discards.add(new Discard(reason, category, quantity,
                        EVENT_CATEGORIES.contains(category) ? outcome(reason) : null));
            }
        }
        return discards;
    }

    /** The ingest outcome a Sentry discard reason counts as. */
    static String outcome(String reason) {
        return switch (reason) {
            case "sample_rate" -> DropReason.SAMPLED_OUT.wireName();
            case "ratelimit_backoff" -> DropReason.RATE_LIMITED.wireName();
            case "before_send", "event_processor", "ignored" -> DropReason.FILTERED.wireName();
            default -> DropReason.CLIENT_DISCARDED.wireName();
        };
    }
}
