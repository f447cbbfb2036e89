package dev.traceflow.benchmark;

import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Phases B and C of the alert benchmark: creates an app's threshold rules, lets every rule be
 * evaluated once, measures a window with {@link AlertRoundsMeter}, reads where the rules' states
 * stand, and deletes them again so the next phase starts from none.
 */
final class RulePhase {

    private final ApiClient api;
    private final String appId;
    private final AlertRoundsMeter meter;
    private final Duration warmup;
    private final Duration measure;
    private final PrintStream out;

    /**
     * @param window             the measured window
     * @param distinctQuestions  questions the rules ask in all
     * @param createSeconds      how long creating the rules over the API took
     * @param states             the rules' states after the window (ok, pending, firing, error)
     * @param neverEvaluated     rules without a {@code lastEvaluatedAt} after the window
     * @param errors             a few {@code lastError}s of rules in state error
     */
    record Result(AlertRoundsMeter.Window window, int distinctQuestions, double createSeconds,
                  Map<String, Integer> states, int neverEvaluated, List<String> errors) {
    }

    RulePhase(ApiClient api, String appId, AlertRoundsMeter meter, Duration warmup, Duration measure, PrintStream out) {
        this.api = api;
        this.appId = appId;
        this.meter = meter;
        this.warmup = warmup;
        this.measure = measure;
        this.out = out;
    }

    Result run(String phase, List<AlertRuleMix.Rule> rules) throws IOException, InterruptedException {
        out.printf(Locale.ROOT, "%s: creating %,d threshold rules (%d distinct questions)...%n", phase, rules.size(),
                AlertRuleMix.distinctQuestions(rules));
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            ApiClient.Answer answer = api.postJson("/api/alerts/rules", rules.get(i).json(appId, phase + " rule " + i));
            if (answer.status() != 201) {
                throw new IOException("POST /api/alerts/rules answered HTTP " + answer.status() + ": " + answer.body());
            }
            JsonNode rule = answer.json();
            ids.add(rule.path("id").asString());
        }
        double createSeconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "  created in %.1f s; %s, then measuring %s...%n", createSeconds,
                warmup.isZero() ? "no warmup" : "waiting " + warmup.toSeconds() + " s for every rule's first evaluation",
                BenchmarkReport.number(measure.toSeconds()) + " s");
        Thread.sleep(warmup.toMillis());
        AlertRoundsMeter.Window window = meter.measure(phase, rules.size(), measure);
        out.printf(Locale.ROOT, "  %.0f evaluations/min in %.1f rounds/min over %.0f s; rounds took %.2f s per minute (mean %.3f s, "
                        + "max %.3f s), %.0f store queries/min, %.1f ms per evaluation, so %.1f s for all %d rules; server CPU %.2f s/min; "
                        + "load average %.1f -> %.1f%n", window.evaluationsPerMinute(), window.roundsPerMinute(), window.seconds(),
                window.roundSecondsPerMinute(), window.meanRoundSeconds(), window.roundMaxSeconds(),
                window.queriesPerMinute(), window.secondsPerEvaluation() * 1000, window.secondsForAllRules(), rules.size(),
                window.serverCpuSecondsPerMinute(), window.loadAverage()[0], window.loadAverage()[1]);

        Map<String, Integer> states = new TreeMap<>();
        int neverEvaluated = 0;
        List<String> errors = new ArrayList<>();
        ApiClient.Answer list = api.get("/api/alerts/rules?" + ApiClient.query(Map.of("appId", appId)));
        if (list.status() != 200) {
            throw new IOException("GET /api/alerts/rules answered HTTP " + list.status() + ": " + list.body());
        }
        for (JsonNode rule : list.json().path("items")) {
            states.merge(rule.path("state").asString(), 1, Integer::sum);
            if (rule.path("lastEvaluatedAt").isNull() || rule.path("lastEvaluatedAt").isMissingNode()) {
                neverEvaluated++;
            }
            if (errors.size() < 5 && rule.path("lastError").isString()) {
                errors.add(rule.path("metric").asString() + " " + rule.path("window").asString() + ": " + rule.path("lastError").asString());
            }
        }
        out.println("  states " + states + (neverEvaluated > 0 ? ", never evaluated " + neverEvaluated : "")
                + (errors.isEmpty() ? "" : ", errors " + errors));
        for (String id : ids) {
            ApiClient.Answer deleted = api.delete("/api/alerts/rules/" + id);
            if (deleted.status() != 204) {
                throw new IOException("DELETE /api/alerts/rules/" + id + " answered HTTP " + deleted.status() + ": " + deleted.body());
            }
        }
        return new Result(window, AlertRuleMix.distinctQuestions(rules), createSeconds, states, neverEvaluated, errors);
    }
}
