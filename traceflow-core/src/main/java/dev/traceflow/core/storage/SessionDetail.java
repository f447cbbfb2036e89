package dev.traceflow.core.storage;

import dev.traceflow.core.query.SessionSummary;

import java.util.List;

/**
 * One session and its events (API.md {@code GET /api/sessions/{id}}).
 *
 * @param events every event of the session in time order, events of equal time in the order stored
 */
public record SessionDetail(SessionSummary summary, List<StoredEvent> events) {

    public SessionDetail {
        events = List.copyOf(events);
    }
}
