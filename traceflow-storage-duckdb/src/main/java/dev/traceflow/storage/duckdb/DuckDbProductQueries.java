package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.storage.ProductQueries;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link ProductQueries} in DuckDB SQL, on the events table alone (no sessions needed). */
final class DuckDbProductQueries implements ProductQueries {

    /** API.md's user of one event. */
    private static final String USER = DuckDbActiveUserHours.USER;

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbProductQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    /**
     * From the per-hour users ({@link DuckDbActiveUserHours}) where they answer the query and the
     * range's days are cached, else from the events.
     */
    @Override
    public List<ActiveUsers> activeUsers(EventQuery q) {
        TimeBuckets buckets = q.buckets();
        Sql sql = new Sql();
        if (DuckDbActiveUserHours.answers(q)) {
            sql.defer(DuckDbSessionCache.Need.sessions(q), (into, coverage) -> {
                if (coverage.days()) {
                    DuckDbActiveUserHours.write(into, q, dialect, (part, from, to) -> activeFromEvents(part, q, from, to));
                } else {
                    activeFromEvents(into, q, q.from(), q.to());
                }
            });
        } else {
            activeFromEvents(sql, q, q.from(), q.to());
        }
        Map<Instant, Long> users = new HashMap<>();
        reads.list(sql, rs -> users.put(buckets.startOfKey(DuckDbReads.localDateTime(rs, 1)), rs.getLong(2)));
        List<ActiveUsers> out = new ArrayList<>(buckets.size());
        for (Instant start : buckets.starts()) {
            out.add(new ActiveUsers(start, users.getOrDefault(start, 0L)));
        }
        return out;
    }

    /** {@code (k, users)} of {@code q}'s events in {@code [from, to)}, keyed by {@code q}'s buckets. */
    private void activeFromEvents(Sql into, EventQuery q, Instant from, Instant to) {
        TimeBuckets buckets = q.buckets();
        into.append("SELECT " + dialect.bucketKey("ts", buckets, buckets.starts().getFirst(), q.to())
                + " AS k, count(DISTINCT " + USER + ") AS users\nFROM events\nWHERE ");
        into.appAndRange("", q.appId(), from, to).eventFilters("", q).append("\nGROUP BY k");
    }

    /**
     * Each matching event's properties are parsed once for the summed property and the breakdown
     * together ({@link SqlDialect#jsonValues}, in the innermost SELECT so that it is computed once per
     * row), and the rows are grouped by the breakdown's {@link SqlDialect#jsonTextKey} so that only
     * the groups' keys become strings: parsing the text per key and again for the type test and the
     * value (up to four times per event) was most of the sum / avg by type answers' time. Events
     * whose breakdown is missing or not a string take the key of {@link MetricDimension#NONE}, so they
     * share its group with the string {@code "(none)"} as {@link DuckDbMetricQueries#none} has them:
     * each cell sums the same events in the same order as one grouped by the string would.
     */
    @Override
    public List<SeriesPoint> events(EventQuery q, EventAggregate a) {
        TimeBuckets buckets = q.buckets();
        List<String> keys = new ArrayList<>();
        if (a.property() != null) {
            keys.add(a.property());
        }
        if (a.breakdown() != null) {
            keys.add(a.breakdown());
        }
        // property names were validated as plain names; the dialect checks again
        String values = keys.isEmpty() ? "NULL" : dialect.jsonValues("properties", keys);
        String number = a.property() == null ? "NULL::DOUBLE" : dialect.jsonNumberOf(dialect.jsonValueAt("p", 0));
        String textKey = a.breakdown() == null ? "NULL::VARCHAR" : "coalesce("
                + dialect.jsonTextKey(dialect.jsonValueAt("p", keys.size() - 1)) + ", " + dialect.jsonTextKeyOf(MetricDimension.NONE) + ")";
        String numerator = switch (a.kind()) {
            case COUNT -> "count(*)";
            case UNIQUE_USERS -> "count(DISTINCT who)";
            case SUM, AVG -> "coalesce(sum(n), 0)";
        };
        String denominator = a.property() == null ? "0" : "count(n)";
        Sql sql = new Sql().append("""
                WITH matched AS (
                    SELECT k, who, %s AS n, %s AS tk
                    FROM (
                        SELECT %s AS k, %s AS who, %s AS p
                        FROM events
                        WHERE\s""".formatted(number, textKey,
                dialect.bucketKey("ts", buckets, buckets.starts().getFirst(), q.to()), USER, values));
        sql.appAndRange("", q).append(" AND type = 'event' AND name = ?", a.name()).eventFilters("", q);
        sql.append("""

                    )
                ), cells AS (
                    SELECT k, %s AS d, num, den, w
                    FROM (
                        SELECT k, tk, %s AS num, %s AS den, count(*) AS w
                        FROM matched
                        GROUP BY k, tk
                    )
                )""".formatted(a.breakdown() == null ? "NULL::VARCHAR" : dialect.jsonTextOfKey("tk"), numerator, denominator));
        DuckDbSeriesCells.select(sql, a.breakdown() != null, a.limit());
        return DuckDbSeriesCells.read(reads, sql, buckets, a.breakdown() != null, a::value);
    }
}
