package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventCounts;
import dev.traceflow.core.storage.StorageException;
import org.duckdb.DuckDBConnection;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/** Counts by type: each call reads through its own duplicated connection, so calls may run in parallel. */
final class DuckDbEventCounts implements EventCounts {

    private static final String SQL = "SELECT type, count(*) FROM events "
            + "WHERE app_id = ? AND ts >= ? AND ts < ? GROUP BY type ORDER BY type";

    private final EventDatabase database;

    DuckDbEventCounts(EventDatabase database) {
        this.database = database;
    }

    @Override
    public Map<String, Long> countByType(String appId, Instant from, Instant to) {
        try (DuckDBConnection c = database.connect();
             PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setString(1, appId);
            ps.setObject(2, utc(from));
            ps.setObject(3, utc(to));
            Map<String, Long> counts = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
            return counts;
        } catch (SQLException e) {
            throw new StorageException("counting events failed: " + e.getMessage(), e);
        }
    }

    static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

}
