package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.storage.ErrorQueries;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
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
        SeriesCounts counts = new SeriesCounts(buckets);
        reads.list(sql, rs -> counts.add(rs, 1, 2));
        return counts.counts();
    }

    /** A series' counts, zeros included, filled from rows of bucket keys (as {@link SqlDialect#bucketKey} makes them). */
    private static final class SeriesCounts {
        private final TimeBuckets buckets;
        private final List<Long> counts;

        SeriesCounts(TimeBuckets buckets) {
            this.buckets = buckets;
            this.counts = new ArrayList<>(Collections.nCopies(buckets.size(), 0L));
        }

        int add(ResultSet rs, int keyColumn, int countColumn) throws SQLException {
            int i = buckets.indexOf(buckets.startOfKey(DuckDbReads.localDateTime(rs, keyColumn)));
            if (i < 0) {
                throw new SQLException("bucket key " + rs.getObject(keyColumn) + " is not one of the series'");
            }
            counts.set(i, rs.getLong(countColumn));
            return i;
        }

        List<Long> counts() {
            return counts;
        }
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

    /**
     * One pass over the query's error events: GROUPING SETS give the totals (the empty set), the
     * series and the types together; {@code GROUPING(k, t)} tells the sets apart (1 = the set of
     * {@code k}, 2 = of {@code t}, 3 = the totals), since a NULL key cannot.
     */
    @Override
    public Stats stats(EventQuery q) {
        TimeBuckets buckets = q.buckets();
        // UNTYPED is our constant, written inline so the grouped expression has no parameter
        Sql sql = new Sql().append("SELECT GROUPING(k, t) AS g, k, t, count(*) AS n, count(DISTINCT fingerprint), count(DISTINCT u)"
                + "\nFROM (SELECT " + dialect.bucketKey("ts", buckets, q.from(), q.to()) + " AS k, coalesce(kind, '" + UNTYPED
                + "') AS t, fingerprint, " + USER + " AS u FROM events");
        errorsOf(sql, q, null).append(")\nGROUP BY GROUPING SETS ((), (k), (t))\nORDER BY g, n DESC, t ASC");
        SeriesCounts series = new SeriesCounts(buckets);
        List<ValueCount> byType = new ArrayList<>();
        Totals[] totals = {new Totals(0, 0, 0)};
        reads.list(sql, rs -> {
            switch (rs.getInt(1)) {
                case 1 -> series.add(rs, 2, 4);
                case 2 -> byType.add(new ValueCount(rs.getString(3), rs.getLong(4)));
                case 3 -> totals[0] = new Totals(rs.getLong(4), rs.getLong(5), rs.getLong(6));
                default -> throw new SQLException("unexpected grouping " + rs.getInt(1));
            }
            return null;
        });
        return new Stats(totals[0], series.counts(), byType);
    }

    /**
     * One pass over the group's events in the query: GROUPING SETS give its count and users (the
     * empty set), the series and a breakdown per {@link Dimension}. {@code GROUPING(k, d0, d1...)}
     * tells the sets apart: bit {@code n - i} (counting from 0 at the right) clear for the set
     * grouped by the {@code i}th expression. Rows come sorted as {@link #breakdown} sorts them; in
     * each breakdown's set the other dimensions are NULL, so the coalesce is that set's value.
     */
    @Override
    public GroupDetail groupDetail(EventQuery q, String fingerprint) {
        TimeBuckets buckets = q.buckets();
        Dimension[] dims = Dimension.values();
        List<String> keys = new ArrayList<>(List.of("k"));
        for (int i = 0; i < dims.length; i++) {
            keys.add("d" + i);
        }
        StringBuilder columns = new StringBuilder(dialect.bucketKey("ts", buckets, q.from(), q.to()) + " AS k");
        StringBuilder sets = new StringBuilder("(), (k)");
        for (int i = 0; i < dims.length; i++) {
            // the column name comes from the enum, never from a request
            columns.append(", ").append(dims[i].column()).append(" AS d").append(i);
            sets.append(", (d").append(i).append(')');
        }
        String grouping = "GROUPING(" + String.join(", ", keys) + ")";
        Sql sql = new Sql().append("SELECT " + grouping + " AS g, " + String.join(", ", keys) + ", count(*) AS n, count(DISTINCT u)"
                + "\nFROM (SELECT " + columns + ", " + USER + " AS u FROM events");
        errorsOf(sql, q, fingerprint).append(")\nGROUP BY GROUPING SETS (" + sets + ")\nORDER BY g, n DESC, coalesce("
                + String.join(", ", keys.subList(1, keys.size())) + ") ASC NULLS LAST");
        int all = (1 << keys.size()) - 1;
        SeriesCounts series = new SeriesCounts(buckets);
        Map<Dimension, List<ValueCount>> breakdowns = new EnumMap<>(Dimension.class);
        for (Dimension d : dims) {
            breakdowns.put(d, new ArrayList<>());
        }
        GroupCount[] count = {new GroupCount(fingerprint, 0, 0)};
        int countColumn = keys.size() + 2;
        reads.list(sql, rs -> {
            int g = rs.getInt(1);
            if (g == all) {
                count[0] = new GroupCount(fingerprint, rs.getLong(countColumn), rs.getLong(countColumn + 1));
            } else if (g == all - (1 << dims.length)) {
                series.add(rs, 2, countColumn);
            } else {
                int i = dims.length - 1 - Integer.numberOfTrailingZeros(~g & all);
                breakdowns.get(dims[i]).add(new ValueCount(rs.getString(3 + i), rs.getLong(countColumn)));
            }
            return null;
        });
        return new GroupDetail(count[0], breakdowns, series.counts());
    }
}
