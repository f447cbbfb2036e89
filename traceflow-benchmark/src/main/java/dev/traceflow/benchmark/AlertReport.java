package dev.traceflow.benchmark;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an alert benchmark run measured, side by side: the idle server (A), the rules with shared
 * questions (B) and without (C), and the new-error-group trials (D) beside the group becoming
 * readable. Written as JSON and printed as Markdown.
 *
 * @param trials null when phase D did not run
 */
record AlertReport(Map<String, Object> configuration, Map<String, Object> load, AlertRoundsMeter.Window idle,
                   RulePhase.Result shared, RulePhase.Result unshared, Trials trials, List<String> notes) {

    /** Issue 22: a new error group notified within 5 s of its first event being accepted, at p99. */
    static final double TARGET_P99_MS = 5_000;

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * Phase D's outcome.
     *
     * @param received      webhook requests the receiver got (retries included)
     * @param badSignatures of them, those whose signature did not verify
     * @param unmatched     of them, those about no trial
     * @param loadAverage   the machine's 1-minute load average at the start and end of the trials
     */
    record Trials(NewErrorGroupTrials.Result result, long received, long badSignatures, long unmatched, double[] loadAverage) {

        boolean met() {
            return result.failures().isEmpty() && result.webhook().count() > 0 && result.webhook().percentile(99) < TARGET_P99_MS;
        }
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("configuration", configuration);
        json.put("load", load);
        List<Map<String, Object>> phases = new ArrayList<>();
        phases.add(window(idle, null));
        for (RulePhase.Result r : rulePhases()) {
            Map<String, Object> p = window(r.window(), idle);
            p.put("distinctQuestions", r.distinctQuestions());
            p.put("createSeconds", round(r.createSeconds()));
            p.put("states", r.states());
            p.put("neverEvaluated", r.neverEvaluated());
            p.put("errors", r.errors());
            phases.add(p);
        }
        json.put("phases", phases);
        if (trials != null) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("trials", trials.result().webhook().count() + trials.result().failures().size());
            d.put("webhookMs", percentiles(trials.result().webhook()));
            d.put("listedMs", percentiles(trials.result().readable()));
            d.put("targetP99Ms", TARGET_P99_MS);
            d.put("met", trials.met());
            d.put("failures", trials.result().failures());
            d.put("webhooksReceived", trials.received());
            d.put("badSignatures", trials.badSignatures());
            d.put("unmatched", trials.unmatched());
            d.put("loadAverage", trials.loadAverage());
            json.put("newErrorGroup", d);
        }
        json.put("notes", notes);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, JSON.writeValueAsString(json) + "\n");
    }

    private List<RulePhase.Result> rulePhases() {
        List<RulePhase.Result> phases = new ArrayList<>();
        if (shared != null) {
            phases.add(shared);
        }
        if (unshared != null) {
            phases.add(unshared);
        }
        return phases;
    }

    private static Map<String, Object> window(AlertRoundsMeter.Window w, AlertRoundsMeter.Window idle) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("phase", w.phase());
        p.put("rules", w.rules());
        p.put("seconds", round(w.seconds()));
        p.put("evaluationsPerMinute", round(w.evaluationsPerMinute()));
        p.put("roundsPerMinute", round(w.roundsPerMinute()));
        p.put("roundSecondsPerMinute", round3(w.roundSecondsPerMinute()));
        p.put("meanRoundSeconds", round3(w.meanRoundSeconds()));
        p.put("roundMaxSeconds", round3(w.roundMaxSeconds()));
        p.put("queriesPerMinute", round(w.queriesPerMinute()));
        p.put("secondsPerEvaluation", round3(w.secondsPerEvaluation()));
        p.put("secondsForAllRules", round(w.secondsForAllRules()));
        p.put("incidents", w.incidents());
        p.put("evaluationFailures", w.evaluationFailures());
        p.put("serverCpuSecondsPerMinute", round3(w.serverCpuSecondsPerMinute()));
        if (idle != null) {
            p.put("coreShareOverIdle", round3(w.coreShareOver(idle)));
        }
        Map<String, Double> groups = new LinkedHashMap<>();
        w.cpuSecondsPerMinuteByGroup().forEach((k, v) -> groups.put(k, round3(v)));
        p.put("cpuSecondsPerMinuteByThreadGroup", groups);
        p.put("loadAverage", w.loadAverage());
        return p;
    }

    private static Map<String, Object> percentiles(LatencySamples s) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", s.count());
        if (s.count() > 0) {
            for (int q : new int[] {50, 95, 99}) {
                p.put("p" + q, round(s.percentile(q)));
            }
            p.put("max", round(s.max()));
        }
        return p;
    }

    String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%,d events loaded (%s .. %s), %s rules per phase, each phase measured over %.0f s "
                        + "or more (until a round ended).%n%n", (long) load.get("events"), load.get("firstEvent"), load.get("lastEvent"),
                shared == null ? "no" : BenchmarkReport.number(shared.window().rules()), idle.seconds()));
        md.append("| phase | rules | distinct questions | store queries/min | evaluations/min | round time per minute "
                + "| per evaluation | all rules once | longest round | server CPU s/min | over idle, share of one core | load avg |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        row(md, idle, null, "-");
        for (RulePhase.Result r : rulePhases()) {
            row(md, r.window(), idle, Integer.toString(r.distinctQuestions()));
        }
        for (RulePhase.Result r : rulePhases()) {
            if (r.neverEvaluated() > 0 || r.states().containsKey("error")) {
                md.append(String.format(Locale.ROOT, "%n**%s**: %d rules never evaluated, %d in state error %s%n", r.window().phase(),
                        r.neverEvaluated(), r.states().getOrDefault("error", 0), r.errors()));
            }
        }
        if (trials != null) {
            md.append(String.format(Locale.ROOT, "%n| new error group, from the 202 of its event to | trials | p50 | p95 | p99 | max |%n"));
            md.append("|---|---:|---:|---:|---:|---:|\n");
            latencyRow(md, "the `new_error_group` rule's webhook arriving", trials.result().webhook());
            latencyRow(md, "`GET /api/errors?fresh=true` listing the group", trials.result().readable());
            md.append(String.format(Locale.ROOT, "%nTarget p99 < %.0f s: **%s**. Webhooks received %d (bad signatures %d, about no "
                            + "trial %d); failed trials %d; load average %.1f -> %.1f.%n", TARGET_P99_MS / 1000,
                    trials.met() ? "met" : "not met", trials.received(), trials.badSignatures(), trials.unmatched(),
                    trials.result().failures().size(), trials.loadAverage()[0], trials.loadAverage()[1]));
            trials.result().failures().stream().limit(5).forEach(f -> md.append("- ").append(f).append('\n'));
        }
        for (String note : notes) {
            md.append("\n> ").append(note);
        }
        return md.append('\n').toString();
    }

    private static void row(StringBuilder md, AlertRoundsMeter.Window w, AlertRoundsMeter.Window idle, String questions) {
        md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.0f | %.1f s | %.1f ms | %.1f s | %.1f s | %.2f | %s | %.1f -> %.1f |%n",
                w.phase(), w.rules(), questions, w.queriesPerMinute(), w.evaluationsPerMinute(), w.roundSecondsPerMinute(),
                w.secondsPerEvaluation() * 1000, w.secondsForAllRules(), w.roundMaxSeconds(), w.serverCpuSecondsPerMinute(),
                idle == null ? "-" : String.format(Locale.ROOT, "%.2f", w.coreShareOver(idle)), w.loadAverage()[0], w.loadAverage()[1]));
    }

    private static void latencyRow(StringBuilder md, String what, LatencySamples s) {
        if (s.count() == 0) {
            md.append("| ").append(what).append(" | 0 | - | - | - | - |\n");
            return;
        }
        md.append(String.format(Locale.ROOT, "| %s | %d | %s ms | %s ms | %s ms | %s ms |%n", what, s.count(),
                BenchmarkReport.millis(s.percentile(50)), BenchmarkReport.millis(s.percentile(95)),
                BenchmarkReport.millis(s.percentile(99)), BenchmarkReport.millis(s.max())));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
