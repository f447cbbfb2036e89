/**
 * Wiring of the event storage backend (chosen by {@code traceflow.storage.type}) and the bounded
 * way every write goes: an fsynced ingest journal that acknowledges requests, and a loader that
 * moves them into the backend in big transactions ({@link dev.traceflow.storage.EventWriteQueue}).
 */
package dev.traceflow.storage;
