package dev.traceflow.core.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;

/**
 * A series with zeros filled in, optionally broken down by a dimension, written once for every
 * backend: a backend computes the non-empty cells (bucket, dimension value, numerator,
 * denominator) and this turns them into the answer, so that all backends fill, order and divide
 * alike.
 *
 * <p>With a breakdown, the answer holds a point for every bucket and every one of the top
 * dimension values (top by total weight over the range, ties by value in ascending order): a value
 * that has nothing in a bucket gets a zero there. Points are ordered by bucket, then by rank.
 */
public final class DimensionSeries {

    /** Dimension values answered when the caller does not say. */
    public static final int DEFAULT_LIMIT = 10;
    /** The most dimension values a series may be asked for. */
    public static final int MAX_LIMIT = 100;

    private DimensionSeries() {
    }

    /**
     * A non-empty cell of a series.
     *
     * @param bucket         the bucket's start, one of the series' {@link TimeBuckets#starts()}
     * @param dimensionValue null without a breakdown
     * @param weight         what ranks dimension values: summed over the range, largest first
     */
    public record Cell(Instant bucket, String dimensionValue, double numerator, double denominator, double weight) {
    }

    /**
     * The {@code limit} dimension values of largest total weight, ties by value (ascending).
     */
    public static List<String> top(Collection<Cell> cells, int limit) {
        Map<String, Double> totals = new HashMap<>();
        for (Cell c : cells) {
            totals.merge(c.dimensionValue(), c.weight(), Double::sum);
        }
        return totals.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(limit)
                .map(Map.Entry::getKey)
                .toList();
    }

    /**
     * Every bucket of the series (times every value of {@code values}, in that order, when broken
     * down), each with the value of its cell or {@code value.applyAsDouble(0, 0)} when it has none.
     * Cells of a value not in {@code values} are left out; cells of the same bucket and value add up.
     *
     * @param values the ranked dimension values, or null for a series without breakdown
     * @param value  a cell's value from its numerator and denominator
     * @throws IllegalStateException when a cell's bucket is not one of the series'
     */
    public static List<SeriesPoint> assemble(TimeBuckets buckets, List<String> values, Collection<Cell> cells,
                                             DoubleBinaryOperator value) {
        List<String> columns = new ArrayList<>();
        if (values == null) {
            columns.add(null);
        } else {
            columns.addAll(values);
        }
        Map<String, Integer> column = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            column.put(columns.get(i), i);
        }
        int width = columns.size();
        double[] numerators = new double[buckets.size() * width];
        double[] denominators = new double[numerators.length];
        for (Cell c : cells) {
            Integer col = column.get(c.dimensionValue());
            if (col == null) {
                continue;
            }
            int row = buckets.indexOf(c.bucket());
            if (row < 0) {
                throw new IllegalStateException("a cell at " + c.bucket() + " is in no bucket of the series");
            }
            numerators[row * width + col] += c.numerator();
            denominators[row * width + col] += c.denominator();
        }
        List<SeriesPoint> points = new ArrayList<>(numerators.length);
        for (int row = 0; row < buckets.size(); row++) {
            Instant ts = buckets.starts().get(row);
            for (int col = 0; col < width; col++) {
                int i = row * width + col;
                points.add(new SeriesPoint(ts, value.applyAsDouble(numerators[i], denominators[i]), columns.get(col)));
            }
        }
        return points;
    }
}
