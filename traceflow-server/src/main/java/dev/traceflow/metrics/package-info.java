/**
 * The metrics engine (seed 004, API.md {@code /api/metrics*}): series of page views, sessions,
 * bounce rate, visitors, new and returning users, conversions, revenue and events per bucket, broken
 * down by a dimension, and the overview of a range. Computed from the raw events at query time by
 * the storage backend's {@link dev.traceflow.core.storage.MetricQueries}, so every answer is exact
 * and needs no rollups kept in step with ingest.
 */
package dev.traceflow.metrics;
