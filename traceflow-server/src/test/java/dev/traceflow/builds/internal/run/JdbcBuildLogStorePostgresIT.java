package dev.traceflow.builds.internal.run;

import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.DriverManager;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The build log on the machine's PostgreSQL (127.0.0.1:5432, database {@code test}; override with
 * TRACEFLOW_IT_POSTGRES_URL / _USER), in a schema of its own per test, dropped after.
 */
class JdbcBuildLogStorePostgresIT extends BuildLogStoreContract {

    static final String URL = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_USER", "postgres");

    private final String schema = "traceflow_buildlogs_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8);
    private final PGSimpleDataSource ds = new PGSimpleDataSource();

    JdbcBuildLogStorePostgresIT() throws Exception {
        try (var c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        ds.setURL(URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        ds.setUser(USER);
    }

    @AfterEach
    void drop() throws Exception {
        try (var c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
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
