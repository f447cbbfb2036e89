package dev.traceflow.apps.internal;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Metadata migration V3 on a database that already has apps: they keep working, without a limit. */
class AppRateLimitMigrationTest {

    @Test
    void appsFromBeforeV3_getNoIngestRateLimit() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:v3-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("2").load().migrate();
        JdbcClient jdbc = JdbcClient.create(ds);
        jdbc.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES ('old', 'Old', 30, ?)")
                .param(OffsetDateTime.now(ZoneOffset.UTC)).update();

        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();

        assertThat(jdbc.sql("SELECT ingest_rate_limit FROM apps WHERE id = 'old'").query(Integer.class).single()).isZero();
        assertThat(jdbc.sql("SELECT retention_days FROM apps WHERE id = 'old'").query(Integer.class).single()).isEqualTo(30);
    }
}
