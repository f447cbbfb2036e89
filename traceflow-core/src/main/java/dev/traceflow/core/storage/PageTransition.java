package dev.traceflow.core.storage;

/**
 * How often one page view followed another in a session (API.md {@code /api/user-behavior/paths}).
 *
 * @param from  the path of the previous page view, or {@link #ENTRY} for the session's first
 * @param to    the path of the page view
 * @param count how many times, over the sessions asked for
 */
public record PageTransition(String from, String to, long count) {

    /** The {@code from} of a session's first page view. */
    public static final String ENTRY = "(entry)";
}
