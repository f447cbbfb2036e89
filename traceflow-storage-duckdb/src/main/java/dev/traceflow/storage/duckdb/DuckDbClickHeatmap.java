package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.Heatmap;

import java.util.List;

/**
 * A page's click heatmap ({@link dev.traceflow.core.storage.SessionQueries#heatmap}): the clicks'
 * coordinates and viewport from their typed columns ({@code schema/V8__click_columns.sql}, the
 * numbers of {@code data}), placed on the grid with the same double arithmetic as
 * {@link Heatmap#cellOf}. The typed columns spare the query the {@code data} column, whose zstd
 * blocks it would otherwise decompress for nearly every vector of the range.
 */
final class DuckDbClickHeatmap {

    private static final String CELLS = """
            SELECT least(greatest(floor(%1$d * x / width), 0), %2$d)::INTEGER AS cx,
                   least(greatest(floor(%1$d * y / height), 0), %2$d)::INTEGER AS cy,
                   count(*) AS n
            FROM clicks
            WHERE width > 0 AND height > 0 AND x IS NOT NULL AND y IS NOT NULL
              AND NOT isnan(x) AND NOT isnan(y)
            GROUP BY ALL
            ORDER BY cy, cx""".formatted(Heatmap.GRID, Heatmap.GRID - 1);

    private final DuckDbReads reads;

    DuckDbClickHeatmap(DuckDbReads reads) {
        this.reads = reads;
    }

    Heatmap of(EventQuery q, String path) {
        Sql sql = new Sql().append("""
                WITH clicks AS (
                    SELECT click_x AS x, click_y AS y, viewport_width AS width, viewport_height AS height
                    FROM events
                    WHERE\s""");
        sql.appAndRange("", q).append(" AND type = 'click' AND path = ?", path).eventFilters("", q);
        sql.append("\n)\n").append(CELLS);
        List<Heatmap.Cell> cells = reads.list(sql, rs -> new Heatmap.Cell(rs.getInt(1), rs.getInt(2), rs.getLong(3)));
        return new Heatmap(cells.stream().mapToLong(Heatmap.Cell::count).sum(), cells);
    }
}
