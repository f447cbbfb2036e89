package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.EventStorage;

/** The release-health contract against the reference backend itself. */
class InMemoryReleaseHealthQueriesTest extends ReleaseHealthQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return new InMemoryStorage();
    }
}
