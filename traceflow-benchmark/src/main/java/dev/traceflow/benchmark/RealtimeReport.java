package dev.traceflow.benchmark;

import dev.traceflow.benchmark.RealtimeBenchmarkOptions.Scenario;
import dev.traceflow.benchmark.RealtimeBenchmarkOptions.Variant;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link RealtimeBenchmark}'s results: the JSON file ({@code --out}) with the run's setting, every
 * measurement, the medians and issue 19's targets, and what it prints at the end (the verdicts, the
 * rounds and medians tables, the load average).
 */
final class RealtimeReport {

    private final RealtimeBenchmarkOptions options;
    private final Map<String, Object> report = new LinkedHashMap<>();

    /** Takes the run's setting and the machine's load now, before the servers start. */
    RealtimeReport(RealtimeBenchmarkOptions options) {
        this.options = options;
        report.put("startedAt", Instant.now().toString());
        report.put("machineCpus", BuildsBenchmark.machineCpus());
        report.put("harnessCpus", Runtime.getRuntime().availableProcessors());
        report.put("serverCpus", options.serverCpus());
        report.put("loadAverageBefore", BuildsBenchmark.loadAverage());
        report.put("client", options.client());
        report.put("options", Map.of("rounds", options.rounds(), "scenarios", options.scenarios().stream().map(Scenario::name).toList(),
                "variants", options.variants().stream().map(v -> v.wireName).toList(), "warmupMs", options.warmup().toMillis(),
                "durationMs", options.duration().toMillis(), "window", options.window(), "fixedFraction", options.fixedFraction(),
                "payloadBytes", options.payloadBytes(), "ackEvery", options.ackEvery(), "ackFlushMs", options.ackFlush().toMillis()));
    }

    /**
     * Writes the results file and prints the verdicts and tables.
     *
     * @param raw each measurement's round, scenario, variant and the load generator's own result
     */
    void write(List<RealtimeMeasurement> measurements, List<Map<String, Object>> raw, PrintStream out) throws IOException {
        RealtimeRounds rounds = new RealtimeRounds(measurements, RealtimeBenchmark.BASELINE);
        report.put("loadAverageAfter", BuildsBenchmark.loadAverage());
        report.put("measurements", measurements);
        report.put("medians", rounds.summaries());
        report.put("targets", targets(rounds, options.scenarios(), out));
        report.put("raw", raw);
        Files.writeString(options.out(), JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.println();
        out.println(rounds.roundsTable());
        out.println(rounds.mediansTable());
        out.printf(Locale.ROOT, "load average (1, 5, 15 min) before %s, after %s; results in %s%n",
                Arrays.toString((double[]) report.get("loadAverageBefore")),
                Arrays.toString((double[]) report.get("loadAverageAfter")), options.out());
    }

    /** Issue 19's three targets, as far as this run measured them, each printed as "target NAME: VERDICT". */
    static Map<String, Object> targets(RealtimeRounds rounds, List<Scenario> scenarios, PrintStream out) {
        Map<String, Object> targets = new LinkedHashMap<>();
        rounds.summary(RealtimeBenchmark.TARGET_SCENARIO, Variant.TRACEFLOW.wireName).ifPresent(s -> {
            targets.put("deliveriesRatio", verdict(s.deliveriesRatio(), ">= " + RealtimeBenchmark.TARGET_RATIO,
                    s.deliveriesRatio() >= RealtimeBenchmark.TARGET_RATIO));
            targets.put("p99AtHalfLoadMs", verdict(s.fixedP99Ms(), "< " + RealtimeBenchmark.TARGET_P99_MILLIS,
                    s.fixedP99Ms() < RealtimeBenchmark.TARGET_P99_MILLIS));
        });
        scenarios.stream().filter(Scenario::idle).findFirst()
                .flatMap(idle -> rounds.summary(idle.name(), Variant.TRACEFLOW.wireName))
                .ifPresent(s -> targets.put("idleHeapBytesPerConnection", verdict(s.heapBytesPerConnection(),
                        "< " + (int) RealtimeBenchmark.TARGET_HEAP_BYTES_PER_CONNECTION,
                        s.heapBytesPerConnection() < RealtimeBenchmark.TARGET_HEAP_BYTES_PER_CONNECTION)));
        targets.forEach((name, v) -> out.println("target " + name + ": " + v));
        return targets;
    }

    private static Map<String, Object> verdict(double actual, String target, boolean pass) {
        return Map.of("actual", actual, "target", target, "result", pass ? "PASS" : "FAIL");
    }
}
