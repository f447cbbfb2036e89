package dev.traceflow.core.query;

import java.util.List;
import java.util.Map;

/**
 * Web-vitals names and ratings as Google's web-vitals library defines them (API.md "Meaning of the
 * numbers"): a value is {@code good} up to and including the first threshold, {@code poor} above
 * the second, {@code needs-improvement} between.
 */
public final class WebVitals {

    /** The vitals in API.md's order. */
    public static final List<String> NAMES = List.of("LCP", "INP", "CLS", "FCP", "TTFB", "FID");

    private static final Map<String, double[]> THRESHOLDS = Map.of(
            "LCP", new double[] {2500, 4000},
            "INP", new double[] {200, 500},
            "CLS", new double[] {0.1, 0.25},
            "FCP", new double[] {1800, 3000},
            "TTFB", new double[] {800, 1800},
            "FID", new double[] {100, 300});

    /** A {@code performance} event's metric keys that are vitals, and the vital each counts as. */
    private static final Map<String, String> FROM_PERFORMANCE = Map.of(
            "fcp", "FCP", "lcp", "LCP", "fid", "FID", "inp", "INP", "cls", "CLS", "ttfb", "TTFB");

    private WebVitals() {
    }

    public enum Rating {
        GOOD("good"), NEEDS_IMPROVEMENT("needs-improvement"), POOR("poor");

        private final String wireName;

        Rating(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** @return the rating of {@code value} for vital {@code name} (upper case), or null for an unknown name */
    public static Rating rate(String name, double value) {
        double[] t = THRESHOLDS.get(name);
        if (t == null) {
            return null;
        }
        if (value <= t[0]) {
            return Rating.GOOD;
        }
        return value > t[1] ? Rating.POOR : Rating.NEEDS_IMPROVEMENT;
    }

    /** The {@code [good, poor)} thresholds of a vital: {good, poor}, or null for an unknown name. */
    public static double[] thresholds(String name) {
        double[] t = THRESHOLDS.get(name);
        return t == null ? null : t.clone();
    }

    /** The vital a {@code performance} metric key counts as ({@code fcp} to {@code FCP}), or null. */
    public static String ofPerformanceMetric(String key) {
        return key == null ? null : FROM_PERFORMANCE.get(key);
    }
}
