/**
 * The bounded way every event write goes ({@link dev.traceflow.storage.EventWriteQueue}): an
 * fsynced ingest journal in a backend-neutral format that acknowledges requests, and a loader that
 * moves them into the configured backend in big transactions and then publishes
 * {@link dev.traceflow.storage.EventsStored}, the signal features use to learn what became
 * queryable. Backends are chosen by {@code traceflow.storage.type} and wire themselves.
 */
package dev.traceflow.storage;
