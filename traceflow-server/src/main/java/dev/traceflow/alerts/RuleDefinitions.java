package dev.traceflow.alerts;

import dev.traceflow.core.query.Filters;
import dev.traceflow.http.ApiException;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What a rule definition may say, checked whole before anything is stored: each refusal is a 422
 * (404 for a channel of another app) naming the field, and a field the kind does not use is
 * refused rather than silently kept.
 */
final class RuleDefinitions {

    static final Set<String> FILTER_NAMES = Set.of("release", "environment", "path", "browser", "os", "deviceType", "country");
    static final int MAX_NAME_LENGTH = 200;
    static final int MAX_FILTER_LENGTH = 500;
    static final int MAX_CHANNELS = 20;
    static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    static final Duration MAX_WINDOW = Duration.ofDays(31);
    static final Duration MAX_ANOMALY_WINDOW = Duration.ofDays(1);
    static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(5);

    private RuleDefinitions() {
    }

    /** The whole definition checked, as a rule ready to store (state ok, first due spread over one interval). */
    static AlertRule validated(String id, String appId, AlertRulesController.RuleBody b, Instant createdAt, Instant now,
                               Predicate<String> channelOfApp) {
        if (b.name() == null || b.name().isBlank() || b.name().length() > MAX_NAME_LENGTH) {
            throw ApiException.invalid("name is required: 1 to " + MAX_NAME_LENGTH + " characters");
        }
        AlertKind kind = AlertKind.fromWireName(b.kind());
        if (kind == null) {
            throw ApiException.invalid("kind must be one of new_error_group, regression, threshold, anomaly");
        }
        Filters filters = filters(b.filters());
        List<String> channelIds = channelIds(appId, b.channelIds(), channelOfApp);
        boolean enabled = b.enabled() == null || b.enabled();
        if (!kind.scheduled()) {
            refuseFields(kind, Map.of("metric", b.metric() != null, "window", b.window() != null, "comparison", b.comparison() != null,
                    "threshold", b.threshold() != null, "for", b.forDuration() != null, "minSamples", b.minSamples() != null,
                    "interval", b.interval() != null, "cooldown", b.cooldown() != null, "factor", b.factor() != null,
                    "weeks", b.weeks() != null));
            return new AlertRule(id, appId, b.name(), kind, filters, null, null, null, null, Duration.ZERO, 1, MIN_INTERVAL,
                    Duration.ZERO, null, null, channelIds, enabled, createdAt, now, AlertRule.Evaluation.initial(null));
        }
        AlertMetric metric = AlertMetric.parse(b.metric());
        if (metric == null) {
            throw ApiException.invalid("metric " + (b.metric() == null ? "is required" : "'" + ApiException.excerpt(b.metric())
                    + "' is unknown") + ": one of " + AlertMetric.accepted());
        }
        Duration interval = Durations.parse("interval", b.interval(), MIN_INTERVAL, MIN_INTERVAL, Duration.ofDays(1), true);
        Duration window = Durations.parse("window", b.window(), null, Duration.ofMinutes(1),
                kind == AlertKind.ANOMALY ? MAX_ANOMALY_WINDOW : MAX_WINDOW, true);
        if (window.compareTo(interval) < 0) {
            throw ApiException.invalid("window (" + window + ") must not be shorter than the evaluation interval (" + interval
                    + "): minutes between windows would never be looked at");
        }
        Duration forDuration = Durations.parse("for", b.forDuration(), Duration.ZERO, Duration.ZERO, Duration.ofDays(1), false);
        Duration cooldown = Durations.parse("cooldown", b.cooldown(), DEFAULT_COOLDOWN, Duration.ZERO, Duration.ofDays(1), false);
        long minSamples = b.minSamples() == null ? 1 : b.minSamples();
        if (minSamples < 1 || minSamples > 1_000_000_000L) {
            throw ApiException.invalid("minSamples must be between 1 and 1000000000");
        }
        Comparison comparison = null;
        if (b.comparison() != null) {
            comparison = Comparison.fromWireName(b.comparison());
            if (comparison == null) {
                throw ApiException.invalid("comparison must be one of gt, gte, lt, lte");
            }
        }
        Double threshold = null;
        Double factor = null;
        Integer weeks = null;
        if (kind == AlertKind.THRESHOLD) {
            refuseFields(kind, Map.of("factor", b.factor() != null, "weeks", b.weeks() != null));
            if (comparison == null) {
                throw ApiException.invalid("comparison is required for a threshold rule: gt, gte, lt or lte");
            }
            if (b.threshold() == null || !b.threshold().isNumber() || !Double.isFinite(b.threshold().asDouble())) {
                throw ApiException.invalid("threshold is required for a threshold rule and must be a number");
            }
            threshold = b.threshold().asDouble();
        } else {
            refuseFields(kind, Map.of("threshold", b.threshold() != null));
            factor = b.factor() == null ? 3.0 : b.factor();
            if (!(factor > 0 && factor <= 100)) {
                throw ApiException.invalid("factor must be above 0 and at most 100");
            }
            weeks = b.weeks() == null ? 4 : b.weeks();
            if (weeks < AnomalyBand.MIN_BASELINE || weeks > 12) {
                throw ApiException.invalid("weeks must be between " + AnomalyBand.MIN_BASELINE + " and 12");
            }
        }
        return new AlertRule(id, appId, b.name(), kind, filters, metric.wireName(), window, comparison, threshold, forDuration,
                minSamples, interval, cooldown, factor, weeks, channelIds, enabled, createdAt, now,
                AlertRule.Evaluation.initial(AlertEngine.firstDue(id, interval, now)));
    }

    private static void refuseFields(AlertKind kind, Map<String, Boolean> given) {
        for (Map.Entry<String, Boolean> e : new TreeMap<>(given).entrySet()) {
            if (e.getValue()) {
                throw ApiException.invalid(e.getKey() + " is not used by a " + kind.wireName() + " rule");
            }
        }
    }

    private static Filters filters(Map<String, String> given) {
        if (given == null) {
            return Filters.NONE;
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!FILTER_NAMES.contains(e.getKey())) {
                throw ApiException.invalid("unknown filter '" + ApiException.excerpt(e.getKey()) + "'; filters are "
                        + String.join(", ", new TreeSet<>(FILTER_NAMES)));
            }
            if (e.getValue() == null || e.getValue().isEmpty() || e.getValue().length() > MAX_FILTER_LENGTH) {
                throw ApiException.invalid("filter " + e.getKey() + " must be 1 to " + MAX_FILTER_LENGTH + " characters");
            }
        }
        return new Filters(given.get("release"), given.get("environment"), given.get("path"), given.get("browser"), given.get("os"),
                given.get("deviceType"), given.get("country"));
    }

    private static List<String> channelIds(String appId, List<String> given, Predicate<String> channelOfApp) {
        if (given == null) {
            throw ApiException.invalid("channelIds is required (it may be empty: incidents are then only listed)");
        }
        if (given.size() > MAX_CHANNELS) {
            throw ApiException.invalid("a rule has at most " + MAX_CHANNELS + " channels");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : given) {
            if (id == null || !channelOfApp.test(id)) {
                throw ApiException.notFound("No alert channel '" + ApiException.excerpt(id) + "' in app '" + ApiException.excerpt(appId)
                        + "'");
            }
            ids.add(id);
        }
        return List.copyOf(ids);
    }
}
