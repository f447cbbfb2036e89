package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.EventStorage;

/** The behaviour contract against the reference backend itself. */
class InMemoryBehaviorQueriesTest extends BehaviorQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return new InMemoryStorage();
    }
}
