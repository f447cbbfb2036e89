/**
 * Performance answers (API.md "Reading data", `/api/performance*`): navigation timings of
 * {@code performance} events, web vitals with ratings, and resource timings, read through
 * {@link dev.traceflow.core.storage.PerformanceQueries}. The numbers are defined once in core and
 * the storage backends; this feature only reads the request and shapes the answer.
 */
package dev.traceflow.performance;
