package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.PerformanceQueries;

import java.util.List;
import java.util.Map;

/**
 * {@link PerformanceQueries} in DuckDB SQL, one class per query. Navigation timings and the vitals
 * of {@code performance} events are read from the {@code data} JSON ({@code $.metrics},
 * {@code $.resources}): every query filters {@code type = 'performance'} with the app and range
 * before any JSON is parsed, so only those rows pay for it.
 */
final class DuckDbPerformanceQueries implements PerformanceQueries {

    private final DuckDbPerformanceMetricsQuery metrics;
    private final DuckDbWebVitalsQuery webVitals;
    private final DuckDbResourcesQuery resources;

    DuckDbPerformanceQueries(DuckDbReads reads, SqlDialect dialect) {
        this.metrics = new DuckDbPerformanceMetricsQuery(reads, dialect);
        this.webVitals = new DuckDbWebVitalsQuery(reads, dialect);
        this.resources = new DuckDbResourcesQuery(reads, dialect);
    }

    @Override
    public List<MetricStats> metrics(EventQuery query) {
        return metrics.run(query);
    }

    @Override
    public List<VitalStats> webVitals(EventQuery query, GroupBy groupBy) {
        return webVitals.run(query, groupBy);
    }

    @Override
    public Map<String, List<VitalStats>> webVitalsByRelease(EventQuery query, List<String> releases) {
        return webVitals.byRelease(query, releases);
    }

    @Override
    public ResourceStatsPage resources(EventQuery query, int limit) {
        return resources.run(query, limit);
    }
}
