package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.EventStorage;

/** The error contract against the reference backend itself. */
class InMemoryErrorQueriesTest extends ErrorQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return new InMemoryStorage();
    }
}
