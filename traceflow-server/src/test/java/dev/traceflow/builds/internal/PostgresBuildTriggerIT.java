package dev.traceflow.builds.internal;

/** A trigger's database work on the machine's PostgreSQL (a schema of its own per test: {@link QueueDatabase#postgres}). */
class PostgresBuildTriggerIT extends BuildTriggerContract {

    @Override
    QueueDatabase newDatabase() throws Exception {
        return QueueDatabase.postgres("traceflow_trigger_it_");
    }
}
