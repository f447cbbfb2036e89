package dev.traceflow.errors;

import dev.traceflow.support.PostgresSchema;
import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;

/**
 * The error groups table on the machine's PostgreSQL (127.0.0.1:5432, database {@code test};
 * override with TRACEFLOW_IT_POSTGRES_URL / _USER), in a schema of its own per test, dropped after.
 */
class JdbcErrorGroupsPostgresIT extends ErrorGroupsStoreContract {

    private final PostgresSchema schema = new PostgresSchema("traceflow_errors_").create();
    private final PGSimpleDataSource ds = new PGSimpleDataSource();

    JdbcErrorGroupsPostgresIT() throws Exception {
        ds.setURL(schema.url());
        ds.setUser(PostgresSchema.USER);
    }

    @AfterEach
    void drop() throws Exception {
        schema.drop();
    }

    @Override
    DataSource dataSource() {
        return ds;
    }

    @Override
    String vendor() {
        return "postgresql";
    }
}
