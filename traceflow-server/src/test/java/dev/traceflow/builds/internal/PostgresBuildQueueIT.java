package dev.traceflow.builds.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.traceflow.support.PostgresSchema;

/**
 * The build queue's contract on the machine's PostgreSQL (a schema of its own per test; connection from
 * {@code TRACEFLOW_IT_POSTGRES_URL} / {@code TRACEFLOW_IT_POSTGRES_USER}, by default the trust-auth
 * database {@code test}).
 */
class PostgresBuildQueueIT extends BuildQueueContract {

    private PostgresSchema schema;

    @Override
    HikariDataSource newDatabase() throws Exception {
        schema = new PostgresSchema("traceflow_queue_it_").create();
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(schema.url());
        ds.setUsername(PostgresSchema.USER);
        ds.setPassword("");
        ds.setMaximumPoolSize(8);
        return ds;
    }

    @Override
    String schema() {
        return schema.name;
    }

    @Override
    void dropDatabase() throws Exception {
        schema.drop();
    }
}
