package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.Heatmap;

import java.util.List;

/**
 * A page's click heatmap ({@link dev.traceflow.core.storage.SessionQueries#heatmap}): the clicks'
 * coordinates and viewport read from {@code data}, placed on the grid with the same double
 * arithmetic as {@link Heatmap#cellOf}.
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
    private final SqlDialect dialect;

    DuckDbClickHeatmap(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    Heatmap of(EventQuery q, String path) {
        Sql sql = new Sql().append("WITH clicks AS (\n    SELECT " + dialect.jsonNumber("data", "x") + " AS x, "
                + dialect.jsonNumber("data", "y") + " AS y,\n           "
                + dialect.jsonNumber("data", "viewportWidth") + " AS width, "
                + dialect.jsonNumber("data", "viewportHeight") + " AS height\n    FROM events\n    WHERE ");
        sql.appAndRange("", q).append(" AND type = 'click' AND path = ?", path).eventFilters("", q);
        sql.append("\n)\n").append(CELLS);
        List<Heatmap.Cell> cells = reads.list(sql, rs -> new Heatmap.Cell(rs.getInt(1), rs.getInt(2), rs.getLong(3)));
        return new Heatmap(cells.stream().mapToLong(Heatmap.Cell::count).sum(), cells);
    }
}
