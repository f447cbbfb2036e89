package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.EventStorage;

/** The session contract against the reference backend itself. */
class InMemorySessionQueriesTest extends SessionQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return new InMemoryStorage();
    }
}
