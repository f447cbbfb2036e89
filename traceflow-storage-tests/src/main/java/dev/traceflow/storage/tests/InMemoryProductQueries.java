package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.ProductQueries;

/** The reference {@link ProductQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemoryProductQueries implements ProductQueries {

    private final InMemoryStorage storage;

    InMemoryProductQueries(InMemoryStorage storage) {
        this.storage = storage;
    }
}
