package dev.traceflow.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Phases A to C of the alert benchmark: over a window, what the server's scheduled alert rules
 * cost. Reads the scheduler's own figures from {@code /actuator/prometheus} (rounds and their
 * summed duration, evaluations) and the server's CPU from {@code /proc}, before and after.
 */
final class AlertRoundsMeter {

    static final String ROUNDS = "traceflow_alerts_round_seconds_count";
    static final String ROUND_SECONDS = "traceflow_alerts_round_seconds_sum";
    /** Micrometer's max decays: the longest round within about the last two minutes. */
    static final String ROUND_MAX = "traceflow_alerts_round_seconds_max";
    static final String EVALUATIONS = "traceflow_alerts_evaluations_total";
    /** Queries the rules sent to the store (shared answers make them far fewer than evaluations); counted as they go. */
    static final String QUERIES = "traceflow_alerts_queries_total";
    static final String INCIDENTS = "traceflow_alerts_incidents_total";
    static final String FAILURES = "traceflow_alerts_evaluation_failures_total";

    static final int MAX_EXTENSION = 5;
    private static final Duration EXTENSION_STEP = Duration.ofSeconds(2);

    private final long serverPid;
    private final URI prometheus;
    private final String metricsToken;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AlertRoundsMeter(long serverPid, int serverPort, String metricsToken) {
        this.serverPid = serverPid;
        this.prometheus = URI.create("http://127.0.0.1:" + serverPort + "/actuator/prometheus");
        this.metricsToken = metricsToken;
    }

    /**
     * One measured window; rates are per minute of it.
     *
     * @param roundSecondsPerMinute      wall time of the scheduler's rounds: the time all due rules took to evaluate
     * @param roundMaxSeconds            the longest round Micrometer still remembers at the end (about 2 minutes back)
     * @param queriesPerMinute           queries the rules sent to the store
     * @param serverCpuSecondsPerMinute  the whole server process
     * @param cpuSecondsPerMinuteByGroup the server's threads by {@link #groupOfThread}
     * @param loadAverage                the machine's 1-minute load average at the window's start and end
     */
    record Window(String phase, int rules, double seconds, double evaluationsPerMinute, double roundsPerMinute,
                  double roundSecondsPerMinute, double roundMaxSeconds, double queriesPerMinute, double incidents, double evaluationFailures,
                  double serverCpuSecondsPerMinute, Map<String, Double> cpuSecondsPerMinuteByGroup, double[] loadAverage) {

        /** Mean wall time of one round, in seconds; 0 without rounds. */
        double meanRoundSeconds() {
            return roundsPerMinute == 0 ? 0 : roundSecondsPerMinute / roundsPerMinute;
        }

        /**
         * Mean wall time of one rule's evaluation, in seconds, over the rounds that ended in the
         * window (the timer and the evaluation counter both move when a round ends, so their ratio
         * holds however long the rounds are); 0 without evaluations.
         */
        double secondsPerEvaluation() {
            return evaluationsPerMinute == 0 ? 0 : roundSecondsPerMinute / evaluationsPerMinute;
        }

        /**
         * How long evaluating every rule once takes, in seconds: with one-minute intervals the rules
         * keep their pace only while this stays under 60 s; above it each rule is evaluated less
         * often (the scheduler skips the beats it missed).
         */
        double secondsForAllRules() {
            return secondsPerEvaluation() * rules;
        }

        /** The server CPU this window used beyond {@code idle}'s, as a share of one core (1.0 = a whole core). */
        double coreShareOver(Window idle) {
            return (serverCpuSecondsPerMinute - idle.serverCpuSecondsPerMinute) / 60;
        }
    }

    /**
     * Measures at least {@code window}; with rules, longer until a round has ended in it (a round
     * over a thousand slow rules can outlast the window, and a round's figures arrive when it ends),
     * but at most {@link #MAX_EXTENSION} times the window.
     */
    Window measure(String phase, int rules, Duration window) throws IOException, InterruptedException {
        double load = loadAverage();
        String before = scrape();
        ProcessCpu.Snapshot cpuBefore = cpu();
        long start = System.nanoTime();
        Thread.sleep(window.toMillis());
        String after = scrape();
        long limit = start + window.toNanos() * MAX_EXTENSION;
        while (rules > 0 && delta(before, after, ROUNDS) == 0 && System.nanoTime() < limit) {
            Thread.sleep(EXTENSION_STEP.toMillis());
            after = scrape();
        }
        ProcessCpu.Snapshot used = cpu().since(cpuBefore);
        double minutes = (System.nanoTime() - start) / 60e9;
        Map<String, Double> byGroup = new LinkedHashMap<>();
        used.groupNanos().forEach((group, nanos) -> byGroup.put(group, nanos / 1e9 / minutes));
        return new Window(phase, rules, minutes * 60,
                delta(before, after, EVALUATIONS) / minutes,
                delta(before, after, ROUNDS) / minutes,
                delta(before, after, ROUND_SECONDS) / minutes,
                PrometheusText.sum(after, ROUND_MAX),
                delta(before, after, QUERIES) / minutes,
                delta(before, after, INCIDENTS),
                delta(before, after, FAILURES),
                used.totalNanos() / 1e9 / minutes, byGroup, new double[] {load, loadAverage()});
    }

    /** The server's threads by what they do for alerts; the rest by the ingest benchmark's groups. */
    static String groupOfThread(String name) {
        if (name.startsWith("alerts-") || name.startsWith("alert-")) {
            return "alerts"; // the scheduler, the error-group matcher, webhook deliveries
        }
        if (name.startsWith("duckdb-read-")) {
            return "reads"; // answer and rule queries, DuckDB's part included when it runs on the caller
        }
        return PhaseResources.groupOfServerThread(name);
    }

    private ProcessCpu.Snapshot cpu() throws IOException {
        return ProcessCpu.read(serverPid, AlertRoundsMeter::groupOfThread)
                .orElseThrow(() -> new IOException("/proc does not show the server's CPU (pid " + serverPid + ")"));
    }

    String scrape() throws IOException, InterruptedException {
        var response = client.send(HttpRequest.newBuilder(prometheus).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + metricsToken).GET().build(), BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + prometheus + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    private static double delta(String before, String after, String metric) {
        return PrometheusText.sum(after, metric) - PrometheusText.sum(before, metric);
    }

    /** The 1-minute load average, or NaN where {@code /proc/loadavg} is missing. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
