package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.EventStorage;

/** The product contract against the reference backend itself. */
class InMemoryProductQueriesTest extends ProductQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return new InMemoryStorage();
    }
}
