/**
 * What every answer endpoint shares (API.md "Reading data"): the common query parameters read and
 * validated once into an {@link dev.traceflow.core.query.EventQuery} together with the caller's
 * access check, opaque tamper-proof paging cursors, and the read-after-write rule. The answer
 * features (errors, performance, behavior, metrics, analytics) build on it.
 */
package dev.traceflow.reading;
