package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DuckDbSchemaTest {

    @TempDir
    Path dir;

    @Test
    void migrate_isIdempotentAndRecordsEachVersionOnce() throws SQLException {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("s.duckdb"))) {
            assertThat(DuckDbSchema.migrate(c)).isEqualTo(DuckDbSchema.MIGRATIONS.size());
            assertThat(DuckDbSchema.migrate(c)).isEqualTo(DuckDbSchema.MIGRATIONS.size());
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM traceflow_schema_history")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(DuckDbSchema.MIGRATIONS.size());
            }
        }
    }

    @Test
    void migrate_refusesADatabaseNewerThanThisCode() throws SQLException {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("n.duckdb"))) {
            DuckDbSchema.migrate(c);
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO traceflow_schema_history VALUES (99, 'future', now()::TIMESTAMP)");
            }
            assertThatThrownBy(() -> DuckDbSchema.migrate(c)).hasMessageContaining("upgrade TraceFlow");
        }
    }

    @Test
    void statements_splitsOnSemicolonsAndDropsComments() {
        assertThat(DuckDbSchema.statements("-- c\nCREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n"))
                .containsExactly("CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)");
    }
}
