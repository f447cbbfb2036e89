package dev.traceflow.it;

import dev.traceflow.apps.AppDirectory;
import dev.traceflow.support.PostgresSchema;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The metadata database on the machine's PostgreSQL (127.0.0.1:5432, database {@code test};
 * override with TRACEFLOW_IT_POSTGRES_URL / _USER): Flyway migrates an empty schema, the demo app
 * is bootstrapped, keys are checked (hashed), revoked keys stop working, and ingest outcomes are
 * merged with the same SQL as on H2. Each run uses its own schema and drops it afterwards.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PostgresMetadataIT {

    static final PostgresSchema DB = new PostgresSchema("traceflow_it_");
    static final String SCHEMA = DB.name;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) throws Exception {
        DB.register(registry);
        registry.add("traceflow.bootstrap.ingest-key", () -> "pg-it-demo-key-0123");
        registry.add("traceflow.ingest.outcomes-flush-interval", () -> "200ms");
    }

    @AfterAll
    static void dropSchema() throws Exception {
        DB.drop();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    AppDirectory apps;

    @Test
    void migrations_ranOnPostgres() {
        assertThat(jdbc.sql("SELECT current_schema()").query(String.class).single()).isEqualTo(SCHEMA);
        assertThat(jdbc.sql("SELECT count(*) FROM flyway_schema_history WHERE success").query(Integer.class).single()).isPositive();
        assertThat(jdbc.sql("SELECT version()").query(String.class).single()).startsWith("PostgreSQL");
    }

    @Test
    void bootstrapKey_isStoredHashedAndAcceptsEvents() {
        String stored = jdbc.sql("SELECT key_hash FROM ingest_keys WHERE app_id = 'demo'").query(String.class).single();
        assertThat(stored).hasSize(64).isNotEqualTo("pg-it-demo-key-0123");
        TestHttp.Response r = post("pg-it-demo-key-0123", "demo");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
    }

    @Test
    void revokedAndUnknownKeys_areRefused() {
        apps.create("pg-revoke", "Revoke", 30, Set.of("https://shop.test"));
        apps.addKey("pg-revoke", "pg-revoke-key");
        assertThat(post("pg-revoke-key", "pg-revoke").status()).isEqualTo(202);
        assertThat(apps.revokeKey("pg-revoke-key")).isTrue();

        assertThat(post("pg-revoke-key", "pg-revoke").status()).isEqualTo(401);
        assertThat(post("no-such-key", "pg-revoke").status()).isEqualTo(401);
        assertThat(apps.find("pg-revoke").orElseThrow().allowedOrigins()).containsExactly("https://shop.test");
    }

    @Test
    void ingestRateLimit_isStoredAndChangedOnPostgres() {
        assertThat(apps.create("pg-limit", "Limit", 30, Set.of("*"), 500).ingestRateLimit()).isEqualTo(500);
        assertThat(apps.find("pg-limit").orElseThrow().ingestRateLimit()).isEqualTo(500);
        assertThat(apps.update("pg-limit", null, null, null, 0).orElseThrow().ingestRateLimit()).isZero();
        // the bootstrap app, created without one, has no limit
        assertThat(jdbc.sql("SELECT ingest_rate_limit FROM apps WHERE id = 'demo'").query(Integer.class).single()).isZero();
    }

    @Test
    void outcomes_areMergedOnPostgres() {
        apps.create("pg-outcomes", "Outcomes", 30, Set.of("*"));
        apps.addKey("pg-outcomes", "pg-outcomes-key");
        post("pg-outcomes-key", "pg-outcomes");
        post("pg-outcomes-key", "pg-outcomes");
        // flushed every 5 s (the old 5 s of polling could end just before the flush): a wide margin
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(jdbc.sql("SELECT sum(events) FROM ingest_outcomes WHERE app_id = 'pg-outcomes' AND outcome = 'accepted'")
                        .query(Long.class).optional()).contains(2L));
    }

    private TestHttp.Response post(String key, String appId) {
        return new TestHttp("http://127.0.0.1:" + port).post("/api/collect",
                "{\"appId\":\"" + appId + "\",\"type\":\"pageview\",\"timestamp\":" + System.currentTimeMillis() + "}",
                "Content-Type", "application/json", "X-TraceFlow-Key", key);
    }
}
