package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.StorageException;
import org.duckdb.DuckDBConnection;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs answer queries: each on its own duplicated connection, so reads run in parallel with each
 * other and with the loader, and see the last committed load.
 */
final class DuckDbReads {

    /** Maps the current row. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final EventDatabase database;

    DuckDbReads(EventDatabase database) {
        this.database = database;
    }

    <T> List<T> list(Sql sql, RowMapper<T> mapper) {
        try (DuckDBConnection c = database.connect();
             PreparedStatement ps = c.prepareStatement(sql.text())) {
            List<Object> params = sql.parameters();
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("an answer query failed: " + e.getMessage(), e);
        }
    }

    /** The single row of an aggregate query. */
    <T> T one(Sql sql, RowMapper<T> mapper) {
        List<T> rows = list(sql, mapper);
        if (rows.size() != 1) {
            throw new StorageException("expected one row, got " + rows.size());
        }
        return rows.getFirst();
    }

    /** A TIMESTAMP column (UTC) as an instant; null stays null. */
    static Instant instant(ResultSet rs, int column) throws SQLException {
        LocalDateTime t = localDateTime(rs, column);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    static LocalDateTime localDateTime(ResultSet rs, int column) throws SQLException {
        Object o = rs.getObject(column);
        return switch (o) {
            case null -> null;
            case LocalDateTime t -> t;
            case Timestamp t -> t.toLocalDateTime();
            default -> rs.getObject(column, LocalDateTime.class);
        };
    }

    /** A nullable DOUBLE. */
    static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }
}
