package dev.traceflow.builds.internal;

import dev.traceflow.core.storage.PerformanceQueries.VitalStats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A release's web vitals as the releases answer shows them: each vital's row (as GET
 * /api/performance/web-vitals answers it) with how its p75 moved against the release before. The
 * change is of p75 because that is what the rating judges (API.md: a row is rated by its p75).
 */
final class ReleaseVitals {

    private ReleaseVitals() {
    }

    /**
     * @param current  this release's rows, one per vital, in the answer's order
     * @param previous the previous (older) release's rows; empty for the oldest release listed
     * @return one JSON object per row of {@code current}, in its order, with {@code p75Change} and
     *         {@code previousRating} null (left out of the JSON) where {@code previous} has no row of that vital
     */
    static List<Map<String, Object>> against(List<VitalStats> current, List<VitalStats> previous) {
        Map<String, VitalStats> before = new LinkedHashMap<>();
        previous.forEach(v -> before.put(v.name(), v));
        List<Map<String, Object>> out = new ArrayList<>();
        for (VitalStats v : current) {
            VitalStats p = before.get(v.name());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", v.name());
            row.put("count", v.count());
            row.put("p50", v.p50());
            row.put("p75", v.p75());
            row.put("p95", v.p95());
            row.put("rating", v.rating().wireName());
            row.put("good", v.good());
            row.put("needsImprovement", v.needsImprovement());
            row.put("poor", v.poor());
            row.put("p75Change", p == null ? null : v.p75() - p.p75());
            row.put("previousRating", p == null ? null : p.rating().wireName());
            out.add(row);
        }
        return out;
    }
}
