package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.WebVitals;
import dev.traceflow.core.storage.PerformanceQueries;
import dev.traceflow.core.storage.PerformanceQueries.GroupBy;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link PerformanceQueries#webVitals} and {@link PerformanceQueries#webVitalsByRelease}: the samples are the last report of each web-vitals id
 * (per {@code name, metric_id}, the report with the latest {@code ts}, then the highest
 * {@code rowid}: DuckDB numbers appended rows in the order stored), the reports without an id,
 * and the vitals among {@code performance} events' metrics, unpivoted in one pass; thresholds come
 * from {@link WebVitals} as bound values, so SQL and Java rate alike. Ratings of p75 and the order
 * of rows are computed in Java.
 *
 * <p>The last report per id is a grouped {@link SqlDialect#latest} (a hash aggregate; value and
 * group each of the one report with the greatest {@code ts, rowid}) rather than a window ranking
 * every report (a sort of all of them); the reports without an id are a scan of their own; the
 * three percentiles are one {@link SqlDialect#percentiles} aggregate. The {@code performance} rows
 * are a scan of their own too: only they read the {@code data} column, which a scan of both types
 * would have to decompress for nearly every vector.
 */
final class DuckDbWebVitalsQuery {

    /** The {@code performance} metric keys that are vitals, and the vital each counts as. */
    private static final List<String> PERFORMANCE_KEYS = PerformanceQueries.METRIC_NAMES.stream()
            .filter(k -> WebVitals.ofPerformanceMetric(k) != null).toList();

    /** The group of every sample when none is asked. */
    private static final String NO_GROUP = "CAST(NULL AS VARCHAR)";

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbWebVitalsQuery(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    List<VitalStats> run(EventQuery q, GroupBy groupBy) {
        // a fixed column name from the enum, never request text
        String group = groupBy == null ? NO_GROUP : groupBy.column();
        List<VitalStats> rows = new ArrayList<>(rows(q, group, ""));
        rows.sort(VitalStats.ORDER);
        return rows;
    }

    /**
     * {@link PerformanceQueries#webVitalsByRelease} in one statement: grouped by release, repeated ids
     * kept once per release (as the per-release definition does), the asked releases bound as values.
     */
    Map<String, List<VitalStats>> byRelease(EventQuery q, List<String> releases) {
        Map<String, List<VitalStats>> out = new LinkedHashMap<>();
        releases.forEach(r -> out.put(r, new ArrayList<>()));
        if (out.isEmpty()) {
            return out;
        }
        String asked = " AND release IN (" + String.join(", ", Collections.nCopies(out.size(), "?")) + ")";
        EventQuery anyRelease = q.withFilters(q.filters().withRelease(null));
        for (VitalStats v : rows(anyRelease, "release", asked, out.keySet().toArray())) {
            out.get(v.group()).add(new VitalStats(v.name(), null, v.count(), v.p50(), v.p75(), v.p95(), v.rating(), v.good(),
                    v.needsImprovement(), v.poor()));
        }
        out.values().forEach(rows -> rows.sort(VitalStats.ORDER));
        return out;
    }

    /**
     * One row per vital and {@code group} value, unordered; {@code extra} adds a condition (with its
     * values) to both kinds of samples. Grouped by release, a report's id is deduplicated within its release.
     */
    private List<VitalStats> rows(EventQuery q, String group, String extra, Object... extraValues) {
        boolean byRelease = group.equals("release");
        // grouped by release, a report's id is one sample per release; otherwise an id's last report decides its group
        String perId = byRelease ? "release, name, metric_id" : "name, metric_id";
        // grouped by release the group is part of the key; no group is a constant
        String lastGroup = byRelease || group.equals(NO_GROUP) ? group : dialect.latest(group, "ts", "rowid");
        // The last report of each id: a hash aggregate over the web-vital rows with an id, value and group
        // each one scalar aggregate by the same (ts, rowid) key, so both come from the same report. The
        // reports without an id are every one a sample, read by a second scan of the same rows rather than
        // collected per group: with one id per page load nearly every group is one report, and a list per
        // group cost more than the scan (README, "Web vitals: the last report of each id").
        Sql sql = new Sql().append("""
                WITH per_id AS (
                    SELECT name, %s AS value, %s AS grp
                    FROM events
                    WHERE type = 'web-vital' AND metric_id IS NOT NULL AND\s""".formatted(
                dialect.latest("value", "ts", "rowid"), lastGroup));
        sql.appAndRange("", q).eventFilters("", q).append(extra, extraValues).append("""

                    GROUP BY %s
                ),
                without_id AS (
                    SELECT name, value, %s AS grp
                    FROM events
                    WHERE type = 'web-vital' AND metric_id IS NULL AND\s""".formatted(perId, group));
        sql.appAndRange("", q).eventFilters("", q).append(extra, extraValues).append("""

                ),
                navigations AS (
                    SELECT %s AS grp, %s AS m
                    FROM events
                    WHERE type = 'performance' AND\s""".formatted(group, dialect.jsonValue("data", "metrics")));
        sql.appAndRange("", q).eventFilters("", q).append(extra, extraValues).append("""

                ),
                samples AS (
                    SELECT name, value, grp FROM per_id
                    UNION ALL
                    SELECT name, value, grp FROM without_id
                    UNION ALL
                    SELECT name, value, grp
                    FROM (SELECT grp, unnest([%s]) AS name, unnest([%s]) AS value FROM navigations)
                    WHERE value IS NOT NULL
                ),
                thresholds(name, good, poor) AS (VALUES\s""".formatted(
                String.join(", ", PERFORMANCE_KEYS.stream().map(k -> "'" + WebVitals.ofPerformanceMetric(k) + "'").toList()),
                String.join(", ", PERFORMANCE_KEYS.stream().map(k -> dialect.jsonNumber("m", k)).toList())));
        for (int i = 0; i < WebVitals.NAMES.size(); i++) {
            String name = WebVitals.NAMES.get(i);
            double[] t = WebVitals.thresholds(name);
            sql.append((i == 0 ? "" : ", ") + "(CAST(? AS VARCHAR), CAST(? AS DOUBLE), CAST(? AS DOUBLE))", name, t[0], t[1]);
        }
        sql.append(")\n").append("""
                SELECT name, grp, n, q[1], q[2], q[3], good, needs_improvement, poor
                FROM (
                    SELECT s.name, s.grp, count(*) AS n, %s AS q,
                           count(*) FILTER (WHERE s.value <= t.good) AS good,
                           count(*) FILTER (WHERE s.value > t.good AND s.value <= t.poor) AS needs_improvement,
                           count(*) FILTER (WHERE s.value > t.poor) AS poor
                    FROM samples s JOIN thresholds t ON t.name = s.name
                    GROUP BY s.name, s.grp
                )""".formatted(dialect.percentiles("s.value", 0.5, 0.75, 0.95)));
        return reads.list(sql, rs -> {
            String name = rs.getString(1);
            double p75 = rs.getDouble(5);
            return new VitalStats(name, rs.getString(2), rs.getLong(3), rs.getDouble(4), p75, rs.getDouble(6),
                    WebVitals.rate(name, p75), rs.getLong(7), rs.getLong(8), rs.getLong(9));
        });
    }
}
