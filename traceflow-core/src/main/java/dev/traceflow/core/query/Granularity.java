package dev.traceflow.core.query;

import java.util.Locale;

/** The bucket sizes of a series (API.md "Reading data"). Day, week and month follow the asked time zone. */
public enum Granularity {
    MINUTE, HOUR, DAY,
    /** ISO weeks: a week starts on Monday at midnight in the asked time zone. */
    WEEK,
    MONTH;

    /** The name in requests and answers, e.g. {@code day}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the granularity named (case-sensitive wire name), or {@code null} when there is none */
    public static Granularity fromWireName(String name) {
        for (Granularity g : values()) {
            if (g.wireName().equals(name)) {
                return g;
            }
        }
        return null;
    }
}
