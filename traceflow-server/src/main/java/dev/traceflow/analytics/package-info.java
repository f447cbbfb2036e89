/**
 * Product analytics (seed 002, API.md {@code /api/analytics/*}): daily, weekly and monthly active
 * users, and counts, distinct users, sums and means of custom events' properties per bucket, broken
 * down by a property; the storage backend's {@link dev.traceflow.core.storage.ProductQueries}
 * computes them.
 */
package dev.traceflow.analytics;
