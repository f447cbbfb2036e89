package dev.traceflow.core.storage;

/**
 * Read capability: the metrics engine: series of page views, sessions, visitors... with dimensions, and the overview (API.md `/api/metrics*`).
 * Every method takes a {@link dev.traceflow.core.query.EventQuery} whose range is of event times,
 * {@code [from, to)}; answers follow API.md "Meaning of the numbers" exactly. Thread-safe.
 */
public interface MetricQueries {
}
