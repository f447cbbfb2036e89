package dev.traceflow.core.storage;

import java.util.List;

/**
 * Clicks on one page on a {@value #GRID} x {@value #GRID} grid (API.md {@code /api/user-behavior/heatmap}).
 * A click at page pixel {@code (x, y)} in a viewport {@code width x height} falls into cell
 * {@code (floor(GRID * x / width), floor(GRID * y / height))}, each clamped to {@code 0..GRID-1}
 * (a click beyond the viewport, as on a page scrolled down, lands on the edge). Clicks without a
 * positive viewport width and height cannot be placed and are not counted.
 *
 * @param clicks the clicks placed on the grid: the sum of the cells' counts
 * @param cells  the cells with at least one click, by {@code y} then {@code x}
 */
public record Heatmap(long clicks, List<Cell> cells) {

    public static final int GRID = 100;

    public Heatmap {
        cells = List.copyOf(cells);
    }

    /** One grid cell; {@code x} and {@code y} are in {@code 0..GRID-1}. */
    public record Cell(int x, int y, long count) {
    }

    /**
     * The cell index of a coordinate, or -1 when the extent is not positive (or a value is not a
     * number). Backends computing in SQL do the same arithmetic: {@code floor(100 * v / extent)} in
     * doubles, then clamp.
     */
    public static int cellOf(double v, double extent) {
        if (!(extent > 0) || Double.isNaN(v)) {
            return -1;
        }
        double c = Math.floor(GRID * v / extent);
        return (int) Math.max(0, Math.min(GRID - 1, c));
    }
}
