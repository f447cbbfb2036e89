package dev.traceflow.alerts;

import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.WebVitals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a threshold or anomaly rule measures, parsed from its {@code metric}:
 * <ul>
 *   <li>any metric of {@code GET /api/metrics} ({@code page_views}, {@code sessions},
 *       {@code bounce_rate}, {@code conversions}, {@code revenue}, {@code events}...);</li>
 *   <li>{@code error_count} (error events), {@code error_users} (distinct users with an error),
 *       {@code error_rate} (error events / page views);</li>
 *   <li>{@code lcp_p75}, {@code inp_p75}, {@code cls_p75}, {@code fcp_p75}, {@code ttfb_p75},
 *       {@code fid_p75}: a web vital's p75 as {@code GET /api/performance/web-vitals} computes it;</li>
 *   <li>{@code event_count:<name>}: events of one name, as {@code GET /api/analytics/events}
 *       counts them;</li>
 *   <li>{@code ingest_dropped} or {@code ingest_dropped:<reason>}: events not stored, all reasons or
 *       one, as {@code GET /api/ingest/stats} counts them (kept per hour there, so the window is
 *       widened to whole hours).</li>
 * </ul>
 *
 * @param engineMetric for {@link Source#ENGINE}
 * @param argument     the vital (LCP...), the event name or the drop reason; null otherwise
 */
record AlertMetric(String wireName, Source source, Metric engineMetric, String argument) {

    enum Source { ENGINE, ERROR_COUNT, ERROR_USERS, ERROR_RATE, VITAL_P75, EVENT_COUNT, INGEST_DROPPED }

    static final String EVENT_COUNT_PREFIX = "event_count:";
    static final String INGEST_DROPPED = "ingest_dropped";
    static final int MAX_EVENT_NAME_LENGTH = 100;

    /** Every accepted form, for error messages and the OpenAPI description. */
    static String accepted() {
        List<String> names = new ArrayList<>(Arrays.stream(Metric.values()).map(Metric::wireName).toList());
        names.addAll(List.of("error_count", "error_users", "error_rate"));
        WebVitals.NAMES.forEach(v -> names.add(v.toLowerCase(Locale.ROOT) + "_p75"));
        names.add(EVENT_COUNT_PREFIX + "<event name>");
        names.add(INGEST_DROPPED);
        names.add(INGEST_DROPPED + ":<reason>");
        return String.join(", ", names);
    }

    /** @return null when the name is none of the accepted forms */
    static AlertMetric parse(String name) {
        if (name == null || name.isEmpty() || name.length() > 200) {
            return null;
        }
        Metric m = Metric.fromWireName(name);
        if (m != null) {
            return new AlertMetric(name, Source.ENGINE, m, null);
        }
        switch (name) {
            case "error_count":
                return new AlertMetric(name, Source.ERROR_COUNT, null, null);
            case "error_users":
                return new AlertMetric(name, Source.ERROR_USERS, null, null);
            case "error_rate":
                return new AlertMetric(name, Source.ERROR_RATE, null, null);
            case INGEST_DROPPED:
                return new AlertMetric(name, Source.INGEST_DROPPED, null, null);
            default:
                break;
        }
        if (name.endsWith("_p75")) {
            String vital = name.substring(0, name.length() - 4).toUpperCase(Locale.ROOT);
            return WebVitals.NAMES.contains(vital) && name.equals(vital.toLowerCase(Locale.ROOT) + "_p75")
                    ? new AlertMetric(name, Source.VITAL_P75, null, vital) : null;
        }
        if (name.startsWith(EVENT_COUNT_PREFIX)) {
            String event = name.substring(EVENT_COUNT_PREFIX.length());
            return event.isEmpty() || event.length() > MAX_EVENT_NAME_LENGTH || event.chars().anyMatch(Character::isISOControl)
                    ? null : new AlertMetric(name, Source.EVENT_COUNT, null, event);
        }
        if (name.startsWith(INGEST_DROPPED + ":")) {
            String reason = name.substring(INGEST_DROPPED.length() + 1);
            return Arrays.stream(DropReason.values()).anyMatch(r -> r.wireName().equals(reason))
                    ? new AlertMetric(name, Source.INGEST_DROPPED, null, reason) : null;
        }
        return null;
    }

    /**
     * Whether the value is a ratio, a mean or a percentile over samples, so that a minimum number of
     * samples applies (a count is meaningful at any size: "fewer than 5 checkouts" must be able to fire).
     */
    boolean sampled() {
        return switch (source) {
            case ENGINE -> engineMetric.ratio();
            case ERROR_RATE, VITAL_P75 -> true;
            default -> false;
        };
    }
}
