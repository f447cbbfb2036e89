package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.DimensionSeries;
import dev.traceflow.core.query.DimensionSeries.Cell;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.query.TimeBuckets;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.DoubleBinaryOperator;

/**
 * The end of every series query on DuckDB: a {@code cells} CTE with columns {@code k} (bucket key,
 * {@link SqlDialect#bucketKey}), {@code d} (dimension value, NULL without breakdown), {@code num},
 * {@code den} and {@code w} (the rank weight) is cut to the top dimension values in SQL (so only
 * those rows travel), and {@link DimensionSeries} fills the zeros in Java, as for every backend.
 */
final class DuckDbSeriesCells {

    private DuckDbSeriesCells() {
    }

    /** Appends the final SELECT over {@code cells}: with a breakdown, only the top {@code limit} values. */
    static Sql select(Sql sql, boolean brokenDown, int limit) {
        if (!brokenDown) {
            return sql.append("\nSELECT k, d, num, den, 1 AS r FROM cells");
        }
        return sql.append("""

                , top_values AS (
                    SELECT d, row_number() OVER (ORDER BY sum(w) DESC, d) AS r
                    FROM cells
                    GROUP BY d
                )
                SELECT c.k, c.d, c.num, c.den, t.r
                FROM cells c JOIN top_values t USING (d)
                WHERE t.r <= ?""", limit);
    }

    /** Runs the query and assembles the series. */
    static List<SeriesPoint> read(DuckDbReads reads, Sql sql, TimeBuckets buckets, boolean brokenDown,
                                  DoubleBinaryOperator value) {
        TreeMap<Long, String> ranked = new TreeMap<>();
        List<Cell> cells = new ArrayList<>();
        reads.list(sql, rs -> {
            String d = rs.getString(2);
            ranked.put(rs.getLong(5), d);
            return cells.add(new Cell(buckets.startOfKey(DuckDbReads.localDateTime(rs, 1)), d, rs.getDouble(3),
                    rs.getDouble(4), 0));
        });
        return DimensionSeries.assemble(buckets, brokenDown ? List.copyOf(ranked.values()) : null, cells, value);
    }
}
