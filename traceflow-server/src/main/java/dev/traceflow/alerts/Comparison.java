package dev.traceflow.alerts;

/** How a measured value is compared with a threshold (or, for anomalies, which side of the band counts). */
enum Comparison {
    GT("gt", ">"), GTE("gte", ">="), LT("lt", "<"), LTE("lte", "<=");

    private final String wireName;
    private final String symbol;

    Comparison(String wireName, String symbol) {
        this.wireName = wireName;
        this.symbol = symbol;
    }

    String wireName() {
        return wireName;
    }

    String symbol() {
        return symbol;
    }

    boolean holds(double value, double threshold) {
        return switch (this) {
            case GT -> value > threshold;
            case GTE -> value >= threshold;
            case LT -> value < threshold;
            case LTE -> value <= threshold;
        };
    }

    /** Whether this comparison looks for values above (rather than below) the threshold or band. */
    boolean upward() {
        return this == GT || this == GTE;
    }

    static Comparison fromWireName(String name) {
        for (Comparison c : values()) {
            if (c.wireName.equals(name)) {
                return c;
            }
        }
        return null;
    }
}
