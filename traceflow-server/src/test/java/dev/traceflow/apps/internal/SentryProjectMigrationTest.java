package dev.traceflow.apps.internal;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Metadata migration V10 on a database that already has apps: each gets its own Sentry project number. */
class SentryProjectMigrationTest {

    @Test
    void appsFromBeforeV10_getDistinctProjectNumbers_andNewAppsTheNextOnes() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:v10-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("7").load().migrate();
        JdbcClient jdbc = JdbcClient.create(ds);
        for (String id : List.of("old-a", "old-b")) {
            jdbc.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES (?, ?, 30, ?)")
                    .params(id, id, OffsetDateTime.now(ZoneOffset.UTC)).update();
        }

        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        jdbc.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES ('new', 'new', 30, ?)")
                .param(OffsetDateTime.now(ZoneOffset.UTC)).update();
        jdbc.sql("INSERT INTO sentry_projects (app_id) VALUES ('new')").update();

        List<Long> numbers = jdbc.sql("SELECT project_id FROM sentry_projects ORDER BY project_id").query(Long.class).list();
        assertThat(numbers).hasSize(3).doesNotHaveDuplicates().allMatch(n -> n > 0);
        assertThat(jdbc.sql("SELECT project_id FROM sentry_projects WHERE app_id = 'new'").query(Long.class).single())
                .isEqualTo(numbers.getLast());
    }
}
