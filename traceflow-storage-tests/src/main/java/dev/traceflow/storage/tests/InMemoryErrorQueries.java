package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.ErrorQueries;

/** The reference {@link ErrorQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemoryErrorQueries implements ErrorQueries {

    private final InMemoryStorage storage;

    InMemoryErrorQueries(InMemoryStorage storage) {
        this.storage = storage;
    }
}
