package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.storage.ErrorQueries;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * {@link ErrorQueries} in DuckDB SQL. Every query reads typed columns only ({@code type},
 * {@code fingerprint}, {@code kind} = errorType, the dimensions), except the latest event, one row
 * whose {@code data} JSON is read for message, stack and position.
 */
final class DuckDbErrorQueries implements ErrorQueries {

    /** API.md's user: userId, else anonymousId, else the session. */
    private static final String USER = "coalesce(user_id, anonymous_id, session_id)";

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbErrorQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    /** {@code WHERE} for the query's error events (range, filters), optionally of one group. */
    private static Sql errorsOf(Sql sql, EventQuery q, String fingerprint) {
        sql.append(" WHERE ").appAndRange("", q).append(" AND type = 'error'");
        sql.eventFilters("", q);
        if (fingerprint != null) {
            sql.append(" AND fingerprint = ?", fingerprint);
        }
        return sql;
    }

    @Override
    public List<GroupCount> groups(EventQuery q) {
        Sql sql = new Sql().append("SELECT fingerprint, count(*), count(DISTINCT " + USER + ") FROM events");
        errorsOf(sql, q, null).append(" AND fingerprint IS NOT NULL GROUP BY fingerprint");
        return reads.list(sql, rs -> new GroupCount(rs.getString(1), rs.getLong(2), rs.getLong(3)));
    }

    @Override
    public Optional<ErrorEvent> latestEvent(String appId, String fingerprint, Instant from, Instant to) {
        Sql sql = new Sql().append("""
                SELECT event_id, ts, %s, %s, %s, %s, %s, %s, %s, path, release, environment, browser, os,
                       device_type, country, session_id, %s, properties, %s
                FROM events
                WHERE\s""".formatted(dialect.jsonText("data", "message"), dialect.jsonText("data", "errorType"),
                dialect.jsonText("data", "stack"), dialect.jsonText("data", "filename"),
                dialect.jsonNumber("data", "lineno"), dialect.jsonNumber("data", "colno"),
                dialect.jsonText("data", "url"), USER, dialect.jsonValue("data", "metadata")));
        sql.appAndRange("", appId, from, to)
                .append(" AND type = 'error' AND fingerprint = ? ORDER BY ts DESC, rowid DESC LIMIT 1", fingerprint);
        return reads.list(sql, DuckDbErrorQueries::errorEvent).stream().findFirst();
    }

    private static ErrorEvent errorEvent(ResultSet rs) throws SQLException {
        return new ErrorEvent(rs.getString(1), DuckDbReads.instant(rs, 2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), integer(DuckDbReads.nullableDouble(rs, 7)),
                integer(DuckDbReads.nullableDouble(rs, 8)), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15), rs.getString(16),
                rs.getString(17), rs.getString(18), JsonReader.object(rs.getString(19)), JsonReader.object(rs.getString(20)));
    }

    private static Integer integer(Double d) {
        return d == null ? null : (int) Math.round(d);
    }

    @Override
    public List<ValueCount> breakdown(EventQuery q, String fingerprint, Dimension dimension) {
        // the column name comes from the enum, never from a request
        Sql sql = new Sql().append("SELECT " + dimension.column() + " AS v, count(*) AS n FROM events");
        errorsOf(sql, q, fingerprint).append(" GROUP BY v ORDER BY n DESC, v ASC NULLS LAST");
        return reads.list(sql, rs -> new ValueCount(rs.getString(1), rs.getLong(2)));
    }

    @Override
    public List<Long> series(EventQuery q, String fingerprint) {
        TimeBuckets buckets = q.buckets();
        Sql sql = new Sql().append("SELECT " + dialect.bucketKey("ts", buckets, q.from(), q.to()) + " AS bucket, count(*) FROM events");
        errorsOf(sql, q, fingerprint).append(" GROUP BY bucket");
        List<Long> counts = new ArrayList<>(Collections.nCopies(buckets.size(), 0L));
        reads.list(sql, rs -> {
            int i = buckets.indexOf(buckets.startOfKey(DuckDbReads.localDateTime(rs, 1)));
            if (i < 0) {
                throw new SQLException("bucket key " + rs.getObject(1) + " is not one of the series'");
            }
            counts.set(i, rs.getLong(2));
            return i;
        });
        return counts;
    }

    @Override
    public Totals totals(EventQuery q) {
        Sql sql = new Sql().append("SELECT count(*), count(DISTINCT fingerprint), count(DISTINCT " + USER + ") FROM events");
        errorsOf(sql, q, null);
        return reads.one(sql, rs -> new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
    }

    @Override
    public List<ValueCount> byType(EventQuery q) {
        // UNTYPED is our constant, written inline so the grouped expression has no parameter
        Sql sql = new Sql().append("SELECT coalesce(kind, '" + UNTYPED + "') AS t, count(*) AS n FROM events");
        errorsOf(sql, q, null).append(" GROUP BY t ORDER BY n DESC, t ASC");
        return reads.list(sql, rs -> new ValueCount(rs.getString(1), rs.getLong(2)));
    }
}
