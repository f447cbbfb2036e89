package dev.traceflow.core.storage;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;

import java.util.List;

/**
 * Read capability: sessions, their events, page transitions and click heatmaps (API.md `/api/sessions*`, `/api/user-behavior/*`).
 * Every method takes a {@link dev.traceflow.core.query.EventQuery} whose range is of event times,
 * {@code [from, to)}; answers follow API.md "Meaning of the numbers" exactly. Thread-safe.
 */
public interface SessionQueries {

    /**
     * Every session that starts in the query's range and whose dimensions (those of its first
     * event, the entry page for {@code path}) match its filters, oldest first, ties by id. Sessions
     * are formed as {@link Sessionizer} describes.
     */
    List<SessionSummary> summaries(EventQuery query);
}
