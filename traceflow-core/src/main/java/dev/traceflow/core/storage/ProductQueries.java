package dev.traceflow.core.storage;

/**
 * Read capability: product analytics: active users and custom-event aggregates (API.md `/api/analytics/*`).
 * Every method takes a {@link dev.traceflow.core.query.EventQuery} whose range is of event times,
 * {@code [from, to)}; answers follow API.md "Meaning of the numbers" exactly. Thread-safe.
 */
public interface ProductQueries {
}
