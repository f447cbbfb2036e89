package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.EventStorage;

/** The metric contract against the reference backend itself. */
class InMemoryMetricQueriesTest extends MetricQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return new InMemoryStorage();
    }
}
