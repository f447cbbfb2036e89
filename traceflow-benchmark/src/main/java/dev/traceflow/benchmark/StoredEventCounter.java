package dev.traceflow.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Counts what the server really stored, by opening its DuckDB event file read-only after the server
 * has stopped (DuckDB allows one writing process, so this must wait for the server's exit).
 */
final class StoredEventCounter {

    /** The server's event file inside its data dir (API contract). */
    static final String EVENT_FILE = "events.duckdb";

    private StoredEventCounter() {
    }

    /** Rows of table {@code events} with {@code app_id = appId} in {@code <dataDir>/events.duckdb}. */
    static long count(Path dataDir, String appId) throws SQLException {
        Path file = dataDir.resolve(EVENT_FILE);
        if (!Files.isRegularFile(file)) {
            throw new SQLException("no event file at " + file);
        }
        Properties properties = new Properties();
        properties.setProperty("duckdb.read_only", "true");
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), properties);
             PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM events WHERE app_id = ?")) {
            statement.setString(1, appId);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }
}
