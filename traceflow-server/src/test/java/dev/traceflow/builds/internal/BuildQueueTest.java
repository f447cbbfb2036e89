package dev.traceflow.builds.internal;

import com.zaxxer.hikari.HikariDataSource;

import java.util.UUID;

/** The build queue's contract on H2, the embedded default (a fresh in-memory database per test). */
class BuildQueueTest extends BuildQueueContract {

    @Override
    HikariDataSource newDatabase() {
        HikariDataSource ds = new HikariDataSource();
        // LOCK_TIMEOUT: claimers wait for each other's project row locks instead of failing at H2's 1 s default
        ds.setJdbcUrl("jdbc:h2:mem:queue-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        ds.setMaximumPoolSize(8);
        return ds;
    }
}
