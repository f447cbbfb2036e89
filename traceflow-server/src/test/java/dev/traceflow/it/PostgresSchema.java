package dev.traceflow.it;

import org.springframework.test.context.DynamicPropertyRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A schema of its own in the machine's PostgreSQL for one integration test class: the server's
 * metadata database points at it (with a fresh data dir for everything else), and
 * {@link #drop()} removes it afterwards. Connection from {@code TRACEFLOW_IT_POSTGRES_URL} /
 * {@code TRACEFLOW_IT_POSTGRES_USER}, by default the CI machine's trust-auth database {@code test}.
 */
final class PostgresSchema {

    static final String URL = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_USER", "postgres");

    final String name;

    PostgresSchema(String prefix) {
        this.name = prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8);
    }

    /** Points the server's metadata database at this schema, and its data dir at a new temp folder. */
    void register(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory(name + "-");
        registry.add("traceflow.data-dir", dir::toString);
        registry.add("traceflow.storage.duckdb.file", () -> dir.resolve("events.duckdb").toString());
        registry.add("spring.datasource.url", () -> URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + name);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> "");
        registry.add("spring.flyway.schemas", () -> name);
    }

    void drop() throws Exception {
        try (var c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        }
    }
}
