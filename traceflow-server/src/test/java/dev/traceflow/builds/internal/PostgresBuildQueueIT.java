package dev.traceflow.builds.internal;

import com.zaxxer.hikari.HikariDataSource;

import java.sql.DriverManager;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The build queue's contract on the machine's PostgreSQL (a schema of its own per test; connection from
 * {@code TRACEFLOW_IT_POSTGRES_URL} / {@code TRACEFLOW_IT_POSTGRES_USER}, by default the trust-auth
 * database {@code test}).
 */
class PostgresBuildQueueIT extends BuildQueueContract {

    static final String URL = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_USER", "postgres");

    private String schema;

    @Override
    HikariDataSource newDatabase() throws Exception {
        schema = "traceflow_queue_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8);
        try (var c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        ds.setUsername(USER);
        ds.setPassword("");
        ds.setMaximumPoolSize(8);
        return ds;
    }

    @Override
    String schema() {
        return schema;
    }

    @Override
    void dropDatabase() throws Exception {
        try (var c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
