package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.pipeline.Drop;
import dev.traceflow.core.pipeline.DropReason;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the items of one envelope become: TraceFlow events (with per-item drops, by item position,
 * for items that could not be read), the SDK's own discards from its client reports, and what was
 * done with each item, for the metrics. An item that cannot be read never spoils the others.
 */
final class SentryItems {

    /** Item types a metric names as they are; any other is counted as {@code other} (SDKs add types over time). */
    static final Set<String> KNOWN_TYPES = Set.of("event", "transaction", "session", "sessions", "client_report", "attachment",
            "user_report", "feedback", "replay_event", "replay_recording", "replay_video", "profile", "profile_chunk", "span",
            "log", "check_in", "statsd", "metric_buckets", "otel_log", "trace_metric");

    /** What became of an item. */
    enum Outcome {
        /** turned into TraceFlow events, or counted (client reports) */
        MAPPED,
        /** a type, or a kind of transaction, TraceFlow does not keep */
        SKIPPED,
        /** could not be read; reported by its position */
        INVALID;

        /** The metric tag's value. */
        final String tag = name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param events    what the items became, for {@link Ingestion#ingest}; its total is the number of events
     * @param discards  the SDK's client reports, one entry per reason and category
     * @param outcomes  per item, in envelope order: its metric type name and what became of it
     */
    record Result(ParsedEvents events, List<SentryClientReports.Discard> discards, List<Map.Entry<String, Outcome>> outcomes) {
    }

    private SentryItems() {
    }

    static Result read(List<SentryEnvelope.Item> items, SentryEvents mapping) {
        List<Event> events = new ArrayList<>();
        List<Drop> drops = new ArrayList<>();
        List<SentryClientReports.Discard> discards = new ArrayList<>();
        List<Map.Entry<String, Outcome>> outcomes = new ArrayList<>(items.size());
        int invalidItems = 0;
        for (int index = 0; index < items.size(); index++) {
            SentryEnvelope.Item item = items.get(index);
            String metricType = KNOWN_TYPES.contains(item.type()) ? item.type() : "other";
            Outcome outcome;
            try {
                outcome = switch (item.type()) {
                    case "event" -> {
                        events.add(mapping.error(json(item, SentryEvents.ERROR_FIELDS), index, item.size()));
                        yield Outcome.MAPPED;
                    }
                    case "transaction" -> {
                        List<Event> page = mapping.transaction(json(item, JsonShape.WHOLE), index, item.size());
                        events.addAll(page);
                        yield page.isEmpty() ? Outcome.SKIPPED : Outcome.MAPPED;
                    }
                    case "session" -> {
                        events.add(mapping.session(json(item, JsonShape.WHOLE), index, item.size()));
                        yield Outcome.MAPPED;
                    }
                    case "sessions" -> {
                        events.addAll(mapping.sessionAggregates(json(item, JsonShape.WHOLE), index, item.size()));
                        yield Outcome.MAPPED;
                    }
                    case "span" -> {
                        List<Event> page = mapping.spans(json(item, JsonShape.WHOLE), index, item.size());
                        events.addAll(page);
                        yield page.isEmpty() ? Outcome.SKIPPED : Outcome.MAPPED;
                    }
                    case "client_report" -> {
                        discards.addAll(SentryClientReports.discards(json(item, JsonShape.WHOLE)));
                        yield Outcome.MAPPED;
                    }
                    default -> Outcome.SKIPPED;
                };
            } catch (FieldReader.FieldError e) {
                drops.add(new Drop(index, DropReason.INVALID, e.code(), "item " + index + " (" + item.type() + "): " + e.getMessage()));
                invalidItems++;
                outcome = Outcome.INVALID;
            }
            outcomes.add(Map.entry(metricType, outcome));
        }
        // an unreadable item is one event not stored: it counts in the total like a bad event of a batch
        return new Result(new ParsedEvents(events, drops, events.size() + invalidItems), discards, outcomes);
    }

    /** A JSON item payload as a field reader, with the parts {@code shape} names built. */
    private static FieldReader json(SentryEnvelope.Item item, JsonShape shape) {
        Map<String, Object> object = item.json(shape);
        if (object == null) {
            throw new FieldReader.FieldError("INVALID_ITEM", "the payload is not one JSON object");
        }
        return new FieldReader(object);
    }
}
