package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.PerformanceQueries;

/** The reference {@link PerformanceQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemoryPerformanceQueries implements PerformanceQueries {

    private final InMemoryStorage storage;

    InMemoryPerformanceQueries(InMemoryStorage storage) {
        this.storage = storage;
    }
}
