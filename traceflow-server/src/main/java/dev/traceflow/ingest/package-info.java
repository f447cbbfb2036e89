/**
 * Ingest: the endpoints that take telemetry (API.md "Ingest", and Sentry's envelope protocol for apps
 * that report with a Sentry SDK), ingest-key authentication and browser CORS, body limits and
 * decoding, parsing with per-event errors, and ingest outcomes.
 * Parsed events go through {@link dev.traceflow.processing.ProcessingPipeline} and
 * {@link dev.traceflow.storage.EventWriteQueue}.
 */
package dev.traceflow.ingest;
