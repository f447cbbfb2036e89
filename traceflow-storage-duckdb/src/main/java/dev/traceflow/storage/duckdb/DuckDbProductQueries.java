package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
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

    @Override
    public List<SeriesPoint> events(EventQuery q, EventAggregate a) {
        TimeBuckets buckets = q.buckets();
        String breakdown = a.breakdown() == null ? "NULL::VARCHAR"
                : DuckDbMetricQueries.none(dialect.jsonText("properties", a.breakdown()));
        String numerator;
        String denominator = "0";
        switch (a.kind()) {
            case COUNT -> numerator = "count(*)";
            case UNIQUE_USERS -> numerator = "count(DISTINCT " + USER + ")";
            default -> {
                // property names were validated as plain names; the dialect checks again
                String number = dialect.jsonNumber("properties", a.property());
                numerator = "coalesce(sum(" + number + "), 0)";
                denominator = "count(" + number + ")";
            }
        }
        Sql sql = new Sql().append("WITH cells AS (\n    SELECT "
                + dialect.bucketKey("ts", buckets, buckets.starts().getFirst(), q.to()) + " AS k, " + breakdown + " AS d, "
                + numerator + " AS num, " + denominator + " AS den, count(*) AS w\n    FROM events\n    WHERE ");
        sql.appAndRange("", q).append(" AND type = 'event' AND name = ?", a.name()).eventFilters("", q);
        sql.append("\n    GROUP BY ALL\n)");
        DuckDbSeriesCells.select(sql, a.breakdown() != null, a.limit());
        return DuckDbSeriesCells.read(reads, sql, buckets, a.breakdown() != null, a::value);
    }
}
