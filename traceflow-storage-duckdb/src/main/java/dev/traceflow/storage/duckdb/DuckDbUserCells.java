package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.query.TimeBuckets.OffsetSpan;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Arrays;
import java.util.Set;

/**
 * The series of visitors, new users and returning users (by a session dimension or not) as counts
 * of the range's cached session rows, without grouping them by user: the grouping by (bucket,
 * value, user) of a month's sessions was most of those answers' time (README, "Visitors, new and
 * returning users per bucket").
 *
 * <p><b>Why a count is exact.</b> A cell (bucket k, value d) counts each of its users once. The
 * user's sessions of the cell are, among the user's sessions with the value d in start then id
 * order, a contiguous run: buckets follow time ({@link #keysRiseWithTime}), and every session of
 * the range with the value d is in the cell of its bucket. So exactly one of them, the first, has
 * its previous such session ({@code user_prev_<column>}, schema V11, kept by
 * {@link DuckDbOverviewHours}) missing, before the range or in an earlier bucket (before k's start:
 * {@link SqlDialect#inBucketOf}, cheaper than the previous session's own key). Ties of start
 * are ordered by id there too, so two sessions starting together count once. A user is new in k
 * when their first session ever ({@code user_first}, schema V10) is in k, as the grouping decides.
 *
 * <p><b>Which answers.</b> The previous session must match all that a cell's session matches: the
 * dimension's value and the filters. That is one column at most (no filter and no dimension:
 * {@code user_prev}; a filter or a dimension or a filter on the dimension's own column:
 * {@code user_prev_<column>}), one of those V11 keeps ({@code traffic_source} has none). The
 * previous sessions in the range must be cached rows: the cache holds the range's days, and for new
 * and returning users all days before ({@link #answers}). Other queries group as before.
 *
 * <p><b>The value {@code (none)}.</b> A cell's value is {@link MetricDimension#NONE} both for a
 * session without the column and for one whose column holds that text, which the previous-session
 * column tells apart; those sessions are counted by grouping them by user (few: a missing value).
 */
final class DuckDbUserCells {

    /**
     * One part of the cells ({@code %s}: the count, the bucket key of the start, the dimension, the
     * user if the count reads it, the previous session's column); the caller appends {@link #RANGE_ROWS}, the filters, then closes it.
     */
    private static final String PART = """
            SELECT k, d, %s AS num, 0 AS den
                FROM (
                    SELECT %s AS k, %s AS d%s, s.%s AS prev, s.user_first AS first_start
                    FROM session_cache s""";

    /** The range's cached rows. Parameters: app, first and last day, the range's start and end. */
    private static final String RANGE_ROWS = """

                    WHERE s.app_id = ? AND s.day >= ? AND s.day <= ? AND s.start_ts >= ? AND s.start_ts < ?""";

    private DuckDbUserCells() {
    }

    /**
     * The previous-session column ({@code user_prev} or {@code user_prev_<column>}) that makes the
     * query's cells a count of rows, or null when none does (other metrics, two columns to match,
     * a dimension without such a column, buckets that do not follow time).
     */
    static String previousColumn(EventQuery q, TimeBuckets buckets, Instant keysFrom, Metric metric,
                                 MetricDimension dimension) {
        if (metric != Metric.VISITORS && metric != Metric.NEW_USERS && metric != Metric.RETURNING_USERS) {
            return null;
        }
        Set<String> columns = new LinkedHashSet<>(q.filters().byColumn().keySet());
        if (dimension != null) {
            columns.add(dimensionColumn(dimension));
        }
        if (columns.size() > 1 || !keysRiseWithTime(buckets, keysFrom, q.to())) {
            return null;
        }
        String column = columns.isEmpty() ? null : columns.iterator().next();
        if (column != null && !DuckDbOverviewHours.FILTERS.contains(column)) {
            return null;
        }
        return DuckDbOverviewHours.prevColumn(column);
    }

    /** Whether the cache holds what {@link #cells} reads: the range's days, and for new and returning users all before. */
    static boolean answers(Metric metric, DuckDbSessionCache.Coverage coverage) {
        return coverage.sessions() && (metric == Metric.VISITORS || coverage.users());
    }

    /**
     * Appends {@code WITH session_cells AS (...)} (columns k, d, num, den) for a query that
     * {@link #previousColumn} gave {@code previous} for, where {@link #answers} holds.
     */
    static void cells(Sql into, EventQuery q, SqlDialect dialect, TimeBuckets buckets, Instant keysFrom, Metric metric,
                      MetricDimension dimension, String previous) {
        String key = dialect.bucketKey("s.start_ts", buckets, keysFrom, q.to());
        String dim = DuckDbMetricQueries.sessionDimension(dimension);
        // the user is of the metric's kind in the row's bucket k: new when their first session is in k
        // (as the grouping decides it: from keysFrom on, where the bucket expressions hold)
        String isNew = "(first_start IS NULL OR (first_start >= ? AND "
                + dialect.inBucketOf("first_start", "k", buckets, keysFrom, q.to()) + "))";
        // a cached row has a user_first exactly when it has a user (V10): testing it spares reading the
        // wider who column (README, "Visitors, new and returning users per bucket")
        String kind = switch (metric) {
            case VISITORS -> "first_start IS NOT NULL";
            case NEW_USERS -> "first_start IS NOT NULL AND " + isNew;
            case RETURNING_USERS -> "first_start IS NOT NULL AND NOT " + isNew;
            default -> throw new IllegalArgumentException("not a user count: " + metric);
        };
        // the first of the user's sessions of the cell: its previous one is before the range or k
        String first = "(prev IS NULL OR prev < ? OR NOT " + dialect.inBucketOf("prev", "k", buckets, keysFrom, q.to()) + ")";
        Object[] kindValues = metric == Metric.VISITORS ? new Object[0] : new Object[] {keysFrom};
        String column = dimension == null ? null : "s." + DuckDbOverviewHours.sessionColumn(dimensionColumn(dimension));
        into.append("WITH session_cells AS (\n    ");
        // this part's rows have the column (no coalesce to group by)
        into.append(PART.formatted("count(*) FILTER (WHERE " + kind + " AND " + first + ")", key, column == null ? dim : column,
                "", previous), append(kindValues, q.from()));
        rowsOf(into, q);
        if (column != null) {
            into.append(" AND " + column + " IS NOT NULL AND " + column + " <> '" + MetricDimension.NONE + "'");
        }
        into.append("\n    )\n    GROUP BY k, d");
        if (column != null && holdsNone(q, dimension)) {
            into.append("\n    UNION ALL\n    ");
            into.append(PART.formatted("count(DISTINCT who) FILTER (WHERE " + kind + ")", key, dim, ", s.who",
                    previous), kindValues);
            rowsOf(into, q);
            into.append(" AND (" + column + " IS NULL OR " + column + " = '" + MetricDimension.NONE + "')");
            into.append("\n    )\n    GROUP BY k, d");
        }
        into.append("\n)");
    }

    /** {@link #RANGE_ROWS} and the query's filters. */
    private static void rowsOf(Sql into, EventQuery q) {
        into.append(RANGE_ROWS, q.appId(), DuckDbSessionCache.firstDay(q), DuckDbSessionCache.lastDay(q), q.from(), q.to());
        DuckDbSessionsSql.filters(q, into);
    }

    /** Whether a session of the query can have the value {@link MetricDimension#NONE}: no filter on the dimension's column fixes another. */
    private static boolean holdsNone(EventQuery q, MetricDimension dimension) {
        String fixed = q.filters().byColumn().get(dimensionColumn(dimension));
        return fixed == null || fixed.equals(MetricDimension.NONE);
    }

    /**
     * Whether the bucket of a later moment never comes before that of an earlier one over
     * {@code [from, to)}: true but where a zone turns its clocks back across a bucket's start (a
     * day ending twice, as St. John's did from 00:01 to 23:01 until 2011), where a user's sessions of
     * one bucket need not follow each other.
     */
    static boolean keysRiseWithTime(TimeBuckets buckets, Instant from, Instant to) {
        List<OffsetSpan> spans = TimeBuckets.offsets(buckets.zone(), from, to);
        for (int i = 0; i < spans.size() - 1; i++) {
            Instant change = spans.get(i).end();
            if (buckets.startOf(change.minusNanos(1)).isAfter(buckets.startOf(change))) {
                return false;
            }
        }
        return true;
    }

    /** The filter column ({@code Filters.byColumn()}'s name) a session dimension compares. */
    private static String dimensionColumn(MetricDimension d) {
        return switch (d) {
            case PATH -> "path";
            case DEVICE_TYPE -> "device_type";
            case TRAFFIC_SOURCE -> "traffic_source";
            case BROWSER -> "browser";
            case OS -> "os";
            case COUNTRY -> "country";
            default -> throw new IllegalArgumentException("not a session dimension: " + d);
        };
    }

    private static Object[] append(Object[] values, Object... more) {
        Object[] out = Arrays.copyOf(values, values.length + more.length);
        System.arraycopy(more, 0, out, values.length, more.length);
        return out;
    }
}
