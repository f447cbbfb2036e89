/**
 * Error tracking (API.md {@code /api/errors*}, issue 16 item 3): error groups per app keyed by
 * fingerprint, kept in the metadata database from the events the store has loaded
 * ({@link dev.traceflow.storage.EventsStored}), with a status people set (unresolved, resolved,
 * ignored) and regressions recorded when a resolved group gets a new event; the answers join the
 * groups with counts over the asked range from the event store
 * ({@link dev.traceflow.core.storage.ErrorQueries}). Other features learn of new groups and
 * regressions through {@link dev.traceflow.errors.ErrorGroupCreated} and
 * {@link dev.traceflow.errors.ErrorGroupRegressed}.
 */
package dev.traceflow.errors;
