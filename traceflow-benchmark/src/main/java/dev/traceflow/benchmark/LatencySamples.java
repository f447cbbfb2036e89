package dev.traceflow.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A handful of timings (the query benchmark takes 20 per endpoint) and their percentiles, exact
 * rather than histogram-bucketed: with so few samples every one counts.
 *
 * <p>Percentiles are nearest-rank: the {@code p}-th percentile of {@code n} sorted samples is the
 * sample at rank {@code ceil(p / 100 * n)} (1-based). So p50 of 20 is the 10th fastest and p95 the
 * 19th: one slow query in 20 does not show in p95, two do. Not thread-safe.
 */
final class LatencySamples {

    private final List<Double> millis = new ArrayList<>();

    void add(double ms) {
        if (!(ms >= 0)) {
            throw new IllegalArgumentException("a latency is >= 0 ms: " + ms);
        }
        millis.add(ms);
    }

    int count() {
        return millis.size();
    }

    /**
     * The nearest-rank percentile, in milliseconds.
     *
     * @param percentile in {@code (0, 100]}
     * @throws IllegalStateException when there is no sample
     */
    double percentile(double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + percentile);
        }
        if (millis.isEmpty()) {
            throw new IllegalStateException("no samples");
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        // the epsilon keeps 95 / 100 * 20 = 19.000000000000004 at rank 19
        int rank = (int) Math.ceil(percentile / 100 * sorted.length - 1e-9);
        return sorted[Math.max(rank, 1) - 1];
    }

    double max() {
        return percentile(100);
    }
}
