package dev.traceflow.builds.internal;

/** A trigger's database work on H2, the embedded default (a fresh in-memory database per test). */
class BuildTriggerTest extends BuildTriggerContract {

    @Override
    QueueDatabase newDatabase() {
        return QueueDatabase.h2();
    }
}
