package dev.traceflow.core.query;

import java.util.Arrays;

/**
 * Continuous percentiles with linear interpolation between the closest ranks, as DuckDB's
 * {@code quantile_cont} and PostgreSQL's {@code percentile_cont} compute them (API.md).
 */
public final class Percentiles {

    private Percentiles() {
    }

    /**
     * @param sorted ascending values, not empty
     * @param p      the fraction, 0..1
     */
    public static double cont(double[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** Sorts a copy and answers p50, p75, p95. */
    public static double[] p50p75p95(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return new double[] {cont(s, 0.5), cont(s, 0.75), cont(s, 0.95)};
    }
}
