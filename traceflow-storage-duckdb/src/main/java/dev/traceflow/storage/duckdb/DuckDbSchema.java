package dev.traceflow.storage.duckdb;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Versioned schema creation for the DuckDB event store (Flyway has no DuckDB support).
 *
 * <p>Migrations are classpath scripts {@code schema/V<n>__<description>.sql}, applied in order,
 * each in its own transaction together with its row in {@code traceflow_schema_history}; a
 * database newer than this code is refused rather than written to.
 */
final class DuckDbSchema {

    private static final Logger log = LoggerFactory.getLogger(DuckDbSchema.class);

    /**
     * Append only: never edit a released migration, add the next version. A script's version is
     * the number in its name; numbers assigned to work in parallel may leave a gap until the
     * missing one is merged (a database is at the highest version applied).
     */
    static final List<String> MIGRATIONS = List.of("V1__events.sql", "V2__journal_position.sql", "V3__zstd_json_columns.sql",
            "V4__query_columns.sql", "V5__session_cache.sql", "V6__session_cache_paths.sql",
            "V7__transfer_size.sql", "V8__click_columns.sql", "V9__compacted_ranges.sql",
            "V10__session_cache_user_first.sql", "V11__overview_hours.sql", "V12__active_user_hours.sql",
            "V13__event_session_hours.sql", "V17__event_session_path_hours.sql",
            "V18__session_cache_who_uncompressed.sql", "V19__session_filter_hours.sql");

    private DuckDbSchema() {
    }

    static int migrate(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS traceflow_schema_history ("
                    + "version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)");
            connection.commit();
            int current = currentVersion(st);
            int latest = version(MIGRATIONS.getLast());
            if (current > latest) {
                throw new SQLException("DuckDB event store is at schema version " + current
                        + " but this TraceFlow knows only up to " + latest + "; upgrade TraceFlow");
            }
            for (String script : MIGRATIONS) {
                int version = version(script);
                if (version <= current) {
                    continue;
                }
                // said before, not only after: a migration that rebuilds the events table (V3) copies
                // every stored event, which on a big file is a visible pause at start
                log.info("Applying DuckDB schema migration {}", script);
                for (String sql : statements(read(script))) {
                    st.execute(sql);
                }
                try (var insert = connection.prepareStatement(
                        "INSERT INTO traceflow_schema_history VALUES (?, ?, now()::TIMESTAMP)")) {
                    insert.setInt(1, version);
                    insert.setString(2, script);
                    insert.executeUpdate();
                }
                connection.commit();
                log.info("Applied DuckDB schema migration {}", script);
            }
            return latest;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** The number of {@code V<n>__<description>.sql}. */
    static int version(String script) {
        return Integer.parseInt(script.substring(1, script.indexOf("__")));
    }

    private static int currentVersion(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM traceflow_schema_history")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String read(String script) {
        try (InputStream in = DuckDbSchema.class.getResourceAsStream("schema/" + script)) {
            if (in == null) {
                throw new IllegalStateException("missing migration " + script);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + script, e);
        }
    }

    /** Splits a script on semicolons at line ends, dropping comment-only lines. */
    static List<String> statements(String script) {
        StringBuilder cleaned = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                cleaned.append(line).append('\n');
            }
        }
        return Arrays.stream(cleaned.toString().split(";\\s*\n"))
                .map(String::strip)
                .map(s -> s.endsWith(";") ? s.substring(0, s.length() - 1) : s)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
