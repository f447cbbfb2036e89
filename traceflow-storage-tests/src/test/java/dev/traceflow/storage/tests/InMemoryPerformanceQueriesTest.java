package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.EventStorage;

/** The performance contract against the reference backend itself. */
class InMemoryPerformanceQueriesTest extends PerformanceQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return new InMemoryStorage();
    }
}
