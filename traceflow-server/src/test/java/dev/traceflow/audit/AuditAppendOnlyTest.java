package dev.traceflow.audit;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The audit trail is append-only in the metadata database itself (migration V4, here on H2; on
 * PostgreSQL in {@code PostgresAuthIT}): whatever code path sends an UPDATE or DELETE, it fails.
 */
class AuditAppendOnlyTest extends ServerTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void updateAndDeleteOnAudits_areRefusedByTheDatabase() {
        auth.createApp(TestAuth.uniqueName("audited")); // at least one audit row
        long before = jdbc.sql("SELECT count(*) FROM audits").query(Long.class).single();

        for (String sql : new String[] {"UPDATE audits SET action = 'rewritten'", "DELETE FROM audits"}) {
            assertThatThrownBy(() -> jdbc.sql(sql).update()).as(sql).rootCause().hasMessageContaining("audits are append-only");
        }

        assertThatThrownBy(() -> jdbc.sql("TRUNCATE TABLE audits").update()).as("TRUNCATE, which no row trigger sees");

        assertThat(jdbc.sql("SELECT count(*) FROM audits").query(Long.class).single()).isEqualTo(before);
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action = 'rewritten'").query(Long.class).single()).isZero();
        // inserting, what the server does, still works
        auth.createApp(TestAuth.uniqueName("audited"));
        assertThat(jdbc.sql("SELECT count(*) FROM audits").query(Long.class).single()).isGreaterThan(before);
    }
}
