package dev.traceflow.benchmark;

import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The threshold rules the alert benchmark creates: a realistic mix in which many rules ask the same
 * question (the same metric over the same window and filters, with their own thresholds), and a
 * worst case in which no two do.
 */
final class AlertRuleMix {

    /** Metrics of every source the engine reads: error stats, event series, session overview, vitals, custom events. */
    static final List<String> METRICS = List.of("error_count", "error_rate", "page_views", "lcp_p75", "bounce_rate",
            "conversions", "sessions", "inp_p75", "revenue", "event_count:message_sent");
    static final List<String> WINDOWS = List.of("PT5M", "PT15M", "PT1H", "P1D");
    /** Filters on values the generated dataset holds, so the filtered questions read real rows. */
    static final List<Map<String, String>> FILTERS = List.of(Map.of(), Map.of("deviceType", "mobile"),
            Map.of("browser", "Chrome"));
    /** Distinct questions of the shared mix: every metric × window × filters. */
    static final int SHARED_QUESTIONS = METRICS.size() * WINDOWS.size() * FILTERS.size();

    private AlertRuleMix() {
    }

    /**
     * One threshold rule.
     *
     * @param minSamples for the ratio and percentile metrics; null for counts
     */
    record Rule(String metric, String window, Map<String, String> filters, String comparison, double threshold, Long minSamples) {

        Rule {
            filters = Map.copyOf(filters);
        }

        /** What the engine measures for it: rules with the same question may share one query in a round. */
        String question() {
            return metric + " " + window + " " + new TreeMap<>(filters);
        }

        /** The body of {@code POST /api/alerts/rules}, without channels: incidents are recorded, nothing is sent. */
        String json(String appId, String name) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("appId", appId);
            body.put("name", name);
            body.put("kind", "threshold");
            body.put("metric", metric);
            body.put("window", window);
            if (!filters.isEmpty()) {
                body.put("filters", filters);
            }
            body.put("comparison", comparison);
            body.put("threshold", threshold);
            if (minSamples != null) {
                body.put("minSamples", minSamples);
            }
            body.put("channelIds", List.of());
            return JsonMapper.shared().writeValueAsString(body);
        }
    }

    /**
     * {@code count} rules over {@link #SHARED_QUESTIONS} questions, each question asked by about
     * {@code count / SHARED_QUESTIONS} rules with thresholds from low to high (some hold, some not),
     * as teams write "warn" and "page" rules on the same numbers.
     */
    static List<Rule> shared(int count) {
        List<Rule> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int q = i % SHARED_QUESTIONS;
            int metric = q % METRICS.size();
            int window = q / METRICS.size() % WINDOWS.size();
            int filters = q / (METRICS.size() * WINDOWS.size());
            rules.add(rule(METRICS.get(metric), WINDOWS.get(window), FILTERS.get(filters), i / SHARED_QUESTIONS));
        }
        return rules;
    }

    /**
     * {@code count} rules no two of which ask the same question: the metrics in turn, each rule
     * with a window of its own ({@code i + 1} minutes), so every rule costs its own query and the
     * windows are as long on average (8 hours for 1,000) as the shared mix's.
     */
    static List<Rule> unshared(int count) {
        List<Rule> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rules.add(rule(METRICS.get(i % METRICS.size()), Duration.ofMinutes(i + 1L).toString(), Map.of(), i / METRICS.size()));
        }
        return rules;
    }

    private static Rule rule(String metric, String window, Map<String, String> filters, int step) {
        double[] ladder = switch (metric) {
            case "error_rate" -> new double[] {0.005, 0.02, 0.05, 0.1};
            case "lcp_p75" -> new double[] {2500, 4000};
            case "inp_p75" -> new double[] {200, 500};
            case "bounce_rate" -> new double[] {0.3, 0.5, 0.7};
            default -> new double[] {1, 10, 100, 1_000, 10_000};
        };
        boolean sampled = metric.endsWith("_p75") || metric.endsWith("_rate");
        // conversions and page views falling below a floor is the usual "traffic dropped" rule
        String comparison = (metric.equals("conversions") || metric.equals("page_views")) && step % 2 == 1 ? "lt" : "gt";
        return new Rule(metric, window, filters, comparison, ladder[step % ladder.length], sampled ? 20L : null);
    }

    /** How many distinct questions the rules ask in all. */
    static int distinctQuestions(List<Rule> rules) {
        Set<String> questions = new HashSet<>();
        rules.forEach(r -> questions.add(r.question()));
        return questions.size();
    }
}
