package dev.traceflow.alerts;

import java.util.Arrays;
import java.util.List;

/**
 * The band an anomaly rule's value is expected in: the median of the same window at the same time
 * of week over the past weeks, plus and minus {@code factor} robust deviations. The baseline is
 * seasonal by construction (Monday 9:00 is compared with past Mondays 9:00, so a weekly rhythm is
 * not an anomaly), and median and MAD ignore the odd past incident that a mean and a standard
 * deviation would absorb. The deviation is the MAD scaled by 1.4826 (the standard deviation of
 * normal data), floored at 10 % of the median and, for counts, at 1: a perfectly flat baseline
 * would otherwise make any change at all an anomaly.
 */
record AnomalyBand(double median, double deviation, double lower, double upper) {

    static final double MAD_TO_SIGMA = 1.4826;
    static final double RELATIVE_FLOOR = 0.10;
    /** Past weeks with data that a band needs: with fewer, nothing tells noise from signal. */
    static final int MIN_BASELINE = 2;

    /** @return null when the baseline has fewer than {@link #MIN_BASELINE} values */
    static AnomalyBand of(List<Double> baseline, double factor, boolean count) {
        double[] values = baseline.stream().filter(v -> v != null && Double.isFinite(v)).mapToDouble(Double::doubleValue).toArray();
        if (values.length < MIN_BASELINE) {
            return null;
        }
        double median = median(values);
        double[] deviations = Arrays.stream(values).map(v -> Math.abs(v - median)).toArray();
        double deviation = Math.max(MAD_TO_SIGMA * median(deviations), RELATIVE_FLOOR * Math.abs(median));
        if (count) {
            deviation = Math.max(deviation, 1.0);
        }
        return new AnomalyBand(median, deviation, median - factor * deviation, median + factor * deviation);
    }

    /**
     * Whether the value leaves the band: above it for {@code gt / gte}, below it for
     * {@code lt / lte}, either side when {@code direction} is null.
     */
    boolean outside(double value, Comparison direction) {
        boolean above = value > upper;
        boolean below = value < lower;
        if (direction == null) {
            return above || below;
        }
        return direction.upward() ? above : below;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
