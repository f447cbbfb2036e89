package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.PerformanceQueries;
import dev.traceflow.core.storage.PerformanceQueries.ResourceStats;
import dev.traceflow.core.storage.PerformanceQueries.ResourceStatsPage;

import java.util.List;

/**
 * {@link PerformanceQueries#resources}: {@code resource} events (name, {@code kind} = initiator
 * type, {@code value} = duration, {@code transfer_size}: typed columns only) and the entries of
 * {@code performance} events' {@code resources} array, one sample each, grouped by name and
 * initiator type, the three percentiles one {@link SqlDialect#percentiles} aggregate; the number
 * of groups before the limit comes from a window over the grouped rows. Only the
 * {@code performance} rows read the {@code data} column.
 */
final class DuckDbResourcesQuery {

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbResourcesQuery(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    ResourceStatsPage run(EventQuery q, int limit) {
        Sql sql = new Sql().append("""
                WITH entries AS (
                    SELECT name, kind AS initiator_type, value AS duration, transfer_size
                    FROM events
                    WHERE type = 'resource' AND\s""");
        sql.appAndRange("", q).eventFilters("", q).append("""

                    UNION ALL
                    SELECT %s, %s, %s, %s
                    FROM (
                        SELECT %s AS entry
                        FROM events
                        WHERE type = 'performance' AND\s""".formatted(dialect.jsonText("entry", "name"),
                dialect.jsonText("entry", "initiatorType"), dialect.jsonNumber("entry", "duration"),
                dialect.jsonNumber("entry", "transferSize"), dialect.jsonArrayElements("data", "resources")));
        sql.appAndRange("", q).eventFilters("", q).append("""

                    )
                )
                SELECT name, initiator_type, samples, q[1], q[2] AS p75, q[3], avg_transfer_size, count(*) OVER () AS total
                FROM (
                    SELECT name, initiator_type, count(*) AS samples, %s AS q, avg(transfer_size) AS avg_transfer_size
                    FROM entries
                    WHERE duration IS NOT NULL
                    GROUP BY name, initiator_type
                )
                ORDER BY p75 DESC, samples DESC, name NULLS LAST, initiator_type NULLS LAST
                """.formatted(dialect.percentiles("duration", 0.5, 0.75, 0.95)));
        sql.append("LIMIT ?", limit);
        long[] total = {0};
        List<ResourceStats> items = reads.list(sql, rs -> {
            total[0] = rs.getLong(8);
            return new ResourceStats(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getDouble(4), rs.getDouble(5),
                    rs.getDouble(6), DuckDbReads.nullableDouble(rs, 7));
        });
        return new ResourceStatsPage(items, total[0]);
    }
}
