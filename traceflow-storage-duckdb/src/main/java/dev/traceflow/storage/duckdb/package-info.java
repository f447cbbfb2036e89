/**
 * The embedded default event store: DuckDB in process, in one file under {@code ./data}. Writes go
 * through Arrow import on one thread at a time, from rows encoded on request threads
 * ({@code DuckDbRows}), many requests per transaction.
 */
package dev.traceflow.storage.duckdb;
