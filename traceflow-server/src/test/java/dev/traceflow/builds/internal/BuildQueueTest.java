package dev.traceflow.builds.internal;

/** The build queue's contract on H2, the embedded default (a fresh in-memory database per test). */
class BuildQueueTest extends BuildQueueContract {

    @Override
    QueueDatabase newDatabase(String migratedTo) {
        return QueueDatabase.h2(migratedTo);
    }
}
