package dev.traceflow.core.storage;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;

import java.util.List;
import java.util.Optional;

/**
 * Read capability: sessions, their events, page transitions and click heatmaps (API.md `/api/sessions*`, `/api/user-behavior/*`).
 * Every method takes a {@link dev.traceflow.core.query.EventQuery} whose range is of event times,
 * {@code [from, to)}; answers follow API.md "Meaning of the numbers" exactly. Thread-safe.
 *
 * <p>"The sessions of a query" below means: every session, formed as {@link Sessionizer} describes,
 * that starts in the query's range and whose dimensions (those of its first event, the entry page
 * for {@code path}) match the query's filters.
 */
public interface SessionQueries {

    /** The sessions of the query, oldest first, ties by id. */
    List<SessionSummary> summaries(EventQuery query);

    /**
     * One page of the sessions of the query, newest first: by start descending, then id descending
     * (so that the order is total and a page never repeats or skips a session).
     *
     * @param after where the previous page stopped, or null for the first page
     * @param limit at most this many sessions ({@code >= 1})
     * @return the page, with the query's total (as {@link #count}) and whether more follow
     */
    SessionPage newestFirst(EventQuery query, SessionPosition after, int limit);

    /** How many sessions the query has (what {@link #summaries} would list). */
    long count(EventQuery query);

    /**
     * The session of the query with this id and its events, or empty when the query has none with
     * it (another app's, started outside the range, or not matching the filters).
     */
    Optional<SessionDetail> session(EventQuery query, String id);

    /**
     * Page transitions over the sessions of the query: for each session, its page views with a
     * path in time order (equal times in the order stored), each counted as the pair (previous
     * page view's path, its path), the first one as ({@link PageTransition#ENTRY}, its path). A page
     * view without a path (no URL) is skipped, as if it were not there.
     *
     * @param limit at most this many transitions ({@code >= 1})
     * @return most frequent first, ties by {@code from} then {@code to}
     */
    List<PageTransition> transitions(EventQuery query, int limit);

    /**
     * The clicks on one page as a {@link Heatmap}: {@code click} events in the range whose path is
     * {@code path} and whose own dimensions match the query's filters (an event-level number).
     */
    Heatmap heatmap(EventQuery query, String path);
}
