package dev.traceflow.alerts;

/**
 * A rule's metric over one window.
 *
 * @param value   null when there is nothing to measure (a percentile without samples)
 * @param samples what a sampled metric is over (sessions for session ratios, page views for the
 *                error rate, reports for a vital); for counts, the count
 */
record Measurement(Double value, long samples) {
}
