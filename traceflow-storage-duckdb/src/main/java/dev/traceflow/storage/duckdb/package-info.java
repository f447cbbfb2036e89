/**
 * The embedded default event store: DuckDB in process, in one file under {@code ./data}. Writes go
 * through the Appender on a single writer thread, one transaction per group of requests.
 */
package dev.traceflow.storage.duckdb;
