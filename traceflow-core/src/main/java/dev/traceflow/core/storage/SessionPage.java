package dev.traceflow.core.storage;

import dev.traceflow.core.query.SessionSummary;

import java.util.List;

/**
 * One page of a query's sessions, newest first ({@link SessionQueries#newestFirst}).
 *
 * @param items the sessions of the page
 * @param total how many sessions the query has over all pages
 * @param more  whether sessions follow the last item (then continue after its {@link #next()})
 */
public record SessionPage(List<SessionSummary> items, long total, boolean more) {

    public SessionPage {
        items = List.copyOf(items);
    }

    /** Where the next page starts, or null when this is the last. */
    public SessionPosition next() {
        if (!more || items.isEmpty()) {
            return null;
        }
        SessionSummary last = items.getLast();
        return new SessionPosition(last.start(), last.id());
    }
}
