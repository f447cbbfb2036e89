package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.PerformanceQueries;
import dev.traceflow.core.storage.PerformanceQueries.MetricStats;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link PerformanceQueries#metrics}: one aggregate row over the app's {@code performance} events,
 * four columns per metric (count, p50, p75, p95; the percentiles one
 * {@link SqlDialect#percentiles} aggregate), so the events are scanned and their {@code metrics}
 * object extracted once.
 */
final class DuckDbPerformanceMetricsQuery {

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbPerformanceMetricsQuery(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    List<MetricStats> run(EventQuery q) {
        List<String> names = PerformanceQueries.METRIC_NAMES;
        List<String> outputs = new ArrayList<>();
        List<String> aggregates = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String v = "v" + i;
            outputs.add("n" + i + ", q" + i + "[1], q" + i + "[2], q" + i + "[3]");
            aggregates.add("count(" + v + ") AS n" + i + ", " + dialect.percentiles(v, 0.5, 0.75, 0.95) + " AS q" + i);
            values.add(dialect.jsonNumber("m", names.get(i)) + " AS " + v);
        }
        Sql sql = new Sql().append("""
                SELECT %s
                FROM (
                    SELECT %s
                    FROM (
                        SELECT %s
                        FROM (
                            SELECT %s AS m
                            FROM events
                            WHERE type = 'performance' AND\s""".formatted(String.join(",\n       ", outputs),
                String.join(",\n           ", aggregates), String.join(",\n               ", values),
                dialect.jsonValue("data", "metrics")));
        sql.appAndRange("", q).eventFilters("", q).append("\n        )\n    )\n)");
        return reads.one(sql, rs -> {
            List<MetricStats> out = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                long count = rs.getLong(4 * i + 1);
                if (count > 0) {
                    out.add(new MetricStats(names.get(i), count, rs.getDouble(4 * i + 2), rs.getDouble(4 * i + 3),
                            rs.getDouble(4 * i + 4)));
                }
            }
            return out;
        });
    }
}
