package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.EventStorage;

/** The reference backend meets the contract every backend meets; it keeps nothing across a reopen. */
class InMemoryStorageTest extends EventStorageContract {

    @Override
    protected EventStorage openStorage() {
        return new InMemoryStorage();
    }
}
