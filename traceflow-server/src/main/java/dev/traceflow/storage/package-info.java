/**
 * Wiring of the event storage backend (chosen by {@code traceflow.storage.type}) and the bounded
 * group-commit queue every write goes through.
 */
package dev.traceflow.storage;
