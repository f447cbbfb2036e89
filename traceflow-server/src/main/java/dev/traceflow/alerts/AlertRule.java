package dev.traceflow.alerts;

import dev.traceflow.core.query.Filters;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A rule as stored: its definition and, for scheduled kinds, where its evaluation stands.
 *
 * @param metric        threshold and anomaly rules; null otherwise (also window, comparison)
 * @param threshold     threshold rules
 * @param forDuration   how long the condition must hold before an incident starts (zero: at once)
 * @param minSamples    below this many samples a sampled metric decides nothing (see {@link AlertMetric#sampled()})
 * @param anomalyFactor anomaly rules: how many robust deviations from the median leave the band
 * @param anomalyWeeks  anomaly rules: how many past weeks form the baseline
 */
record AlertRule(String id, String appId, String name, AlertKind kind, Filters filters, String metric, Duration window,
                 Comparison comparison, Double threshold, Duration forDuration, long minSamples, Duration interval,
                 Duration cooldown, Double anomalyFactor, Integer anomalyWeeks, List<String> channelIds, boolean enabled,
                 Instant createdAt, Instant updatedAt, Evaluation evaluation) {

    /** The scheduler's record of the rule: state, when it changed, the last measured value and error. */
    record Evaluation(RuleState state, Instant stateSince, Instant nextAt, Instant lastEvaluatedAt, Double lastValue,
                      String lastError, Instant lastResolvedAt) {

        static Evaluation initial(Instant nextAt) {
            return new Evaluation(RuleState.OK, null, nextAt, null, null, null, null);
        }
    }

    AlertMetric parsedMetric() {
        return AlertMetric.parse(metric);
    }

    AlertRule withEvaluation(Evaluation e) {
        return new AlertRule(id, appId, name, kind, filters, metric, window, comparison, threshold, forDuration, minSamples,
                interval, cooldown, anomalyFactor, anomalyWeeks, channelIds, enabled, createdAt, updatedAt, e);
    }
}
