package dev.traceflow.core.storage;

/**
 * Read capability: error events: a group's latest event, breakdowns and series, error totals (API.md `/api/errors*`); the groups themselves live in the metadata database.
 * Every method takes a {@link dev.traceflow.core.query.EventQuery} whose range is of event times,
 * {@code [from, to)}; answers follow API.md "Meaning of the numbers" exactly. Thread-safe.
 */
public interface ErrorQueries {
}
