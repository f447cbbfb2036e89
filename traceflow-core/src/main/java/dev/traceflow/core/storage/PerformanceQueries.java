package dev.traceflow.core.storage;

/**
 * Read capability: web vitals, navigation timings and resource timings (API.md `/api/performance*`).
 * Every method takes a {@link dev.traceflow.core.query.EventQuery} whose range is of event times,
 * {@code [from, to)}; answers follow API.md "Meaning of the numbers" exactly. Thread-safe.
 */
public interface PerformanceQueries {
}
