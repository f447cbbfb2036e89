package dev.traceflow.core.query;

import java.time.Instant;

/**
 * One value of a series: the bucket's start and, for a series broken down by a dimension or a
 * property, the value it is for.
 *
 * @param dimensionValue null when the series is not broken down
 */
public record SeriesPoint(Instant ts, double value, String dimensionValue) {
}
