package dev.traceflow.ingest;

import java.time.Instant;
import java.util.Map;

/**
 * What became of an app's events over a range, by outcome ({@code accepted} and the drop reasons'
 * wire names), as {@code GET /api/ingest/stats} answers it: kept per hour, so {@code from} is
 * floored to the hour. Outcomes counted but not yet flushed are included.
 */
public interface IngestOutcomeTotals {

    Map<String, Long> totals(String appId, Instant from, Instant to);
}
