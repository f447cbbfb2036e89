package dev.traceflow.support;

import org.springframework.test.context.DynamicPropertyRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A schema of its own in the machine's PostgreSQL for one integration test (class): a server's
 * metadata database points at it (with a fresh data dir for everything else), or a store's contract
 * test connects to it ({@link #create()}, {@link #url()}), and {@link #drop()} removes it afterwards. Connection from {@code TRACEFLOW_IT_POSTGRES_URL} /
 * {@code TRACEFLOW_IT_POSTGRES_USER}, by default the CI machine's trust-auth database {@code test}.
 */
public final class PostgresSchema {

    public static final String URL = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_USER", "postgres");

    public final String name;

    public PostgresSchema(String prefix) {
        this.name = prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8);
    }

    /** Points the server's metadata database at this schema, and its data dir at a new temp folder. */
    public void register(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory(name + "-");
        registry.add("traceflow.data-dir", dir::toString);
        registry.add("traceflow.storage.duckdb.file", () -> dir.resolve("events.duckdb").toString());
        registry.add("spring.datasource.url", this::url);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> "");
        registry.add("spring.flyway.schemas", () -> name);
    }

    /** Makes the schema (a server's Flyway makes its own; a store's contract test needs it made). */
    public PostgresSchema create() throws Exception {
        try (var c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + name);
        }
        return this;
    }

    /** The JDBC URL whose connections use this schema. */
    public String url() {
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    public void drop() throws Exception {
        try (var c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        }
    }
}
