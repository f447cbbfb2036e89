package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.MetricQueries;

/** The reference {@link MetricQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemoryMetricQueries implements MetricQueries {

    private final InMemoryStorage storage;

    InMemoryMetricQueries(InMemoryStorage storage) {
        this.storage = storage;
    }
}
