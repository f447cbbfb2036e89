package dev.traceflow.builds.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.traceflow.support.PostgresSchema;
import org.flywaydb.core.Flyway;

import java.util.UUID;

/**
 * A fresh, migrated metadata database for one test of the queue's contracts ({@link BuildQueueContract},
 * {@link BuildTriggerContract}): H2 in memory, the embedded default, or a schema of its own on the machine's
 * PostgreSQL (connection from {@code TRACEFLOW_IT_POSTGRES_URL} / {@code TRACEFLOW_IT_POSTGRES_USER}, by default the
 * trust-auth database {@code test}). Pools of 8 connections, the server's default.
 */
abstract class QueueDatabase implements AutoCloseable {

    final HikariDataSource dataSource;
    private final String schema;

    /** @param migratedTo the last migration to run ({@code "22"}), or null for all of them */
    private QueueDatabase(HikariDataSource dataSource, String schema, String migratedTo) {
        this.dataSource = dataSource;
        this.schema = schema;
        flyway(migratedTo).migrate();
    }

    private Flyway flyway(String migratedTo) {
        var flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration");
        if (schema != null) {
            flyway.schemas(schema);
        }
        if (migratedTo != null) {
            flyway.target(migratedTo);
        }
        return flyway.load();
    }

    /** Runs the migrations after the version the database was made at: a migration's test. */
    void migrate() {
        flyway(null).migrate();
    }

    static QueueDatabase h2() {
        return h2(null);
    }

    /** @param migratedTo the last migration to run, or null for all of them */
    static QueueDatabase h2(String migratedTo) {
        HikariDataSource ds = new HikariDataSource();
        // LOCK_TIMEOUT: claimers wait for each other's project row locks instead of failing at H2's 1 s default
        ds.setJdbcUrl("jdbc:h2:mem:queue-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        ds.setMaximumPoolSize(8);
        return new QueueDatabase(ds, null, migratedTo) {
        };
    }

    static QueueDatabase postgres(String schemaPrefix) throws Exception {
        return postgres(schemaPrefix, null);
    }

    /** @param migratedTo the last migration to run, or null for all of them */
    static QueueDatabase postgres(String schemaPrefix, String migratedTo) throws Exception {
        PostgresSchema schema = new PostgresSchema(schemaPrefix).create();
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(schema.url());
        ds.setUsername(PostgresSchema.USER);
        ds.setPassword("");
        ds.setMaximumPoolSize(8);
        return new QueueDatabase(ds, schema.name, migratedTo) {
            @Override
            public void close() throws Exception {
                super.close();
                schema.drop();
            }
        };
    }

    @Override
    public void close() throws Exception {
        dataSource.close();
    }
}
