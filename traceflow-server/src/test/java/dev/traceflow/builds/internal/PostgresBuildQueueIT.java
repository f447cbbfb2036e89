package dev.traceflow.builds.internal;

/** The build queue's contract on the machine's PostgreSQL (a schema of its own per test: {@link QueueDatabase#postgres}). */
class PostgresBuildQueueIT extends BuildQueueContract {

    @Override
    QueueDatabase newDatabase(String migratedTo) throws Exception {
        return QueueDatabase.postgres("traceflow_queue_it_", migratedTo);
    }
}
