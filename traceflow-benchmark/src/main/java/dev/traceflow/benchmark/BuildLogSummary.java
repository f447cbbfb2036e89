package dev.traceflow.benchmark;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** {@link BuildLogBenchmark}'s results as the lines it prints. */
final class BuildLogSummary {

    private BuildLogSummary() {
    }

    @SuppressWarnings("unchecked")
    static String of(Map<String, Object> r) {
        Map<String, Object> latency = (Map<String, Object>) r.get("latencyMs");
        Map<String, Object> append = (Map<String, Object>) r.get("appendMs");
        Map<String, Object> options = (Map<String, Object>) r.get("options");
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%nBUILD LOG BENCH: %s lines at %s/s for %s s (written in %s s, %s lines/s), %s followers over /ws%n",
                r.get("lines"), options.get("rate"), options.get("seconds"), r.get("writeSeconds"), r.get("linesPerSecondWritten"),
                options.get("followers")));
        s.append(String.format(Locale.ROOT, "  followers with exactly lines 1..%s, in order: %s of %s; %s got end, %s s after the first write%n",
                r.get("lines"), r.get("followersExact"), options.get("followers"), r.get("followersEnded"), r.get("secondsUntilAllEnded")));
        if (r.get("resuming") instanceof Map<?, ?> resuming) {
            s.append(String.format(Locale.ROOT, "  resuming follower: killed and reconnected %s times, %s lines received, exactly 1..%s: %s%n",
                    resuming.get("reconnects"), resuming.get("received"), r.get("lines"), resuming.get("exact")));
        }
        s.append(String.format(Locale.ROOT, "  receipts: %s (%s a second over the run)%n", r.get("receipts"), r.get("receiptsPerSecond")));
        s.append(String.format(Locale.ROOT, "  write -> receipt latency (ms): p50 %s, p90 %s, p99 %s, p99.9 %s, max %s (target p99 < %s: %s)%n",
                latency.get("p50"), latency.get("p90"), latency.get("p99"), latency.get("p999"), latency.get("max"), r.get("targetP99Ms"),
                Boolean.TRUE.equals(r.get("targetMet")) ? "met" : "NOT met"));
        if (r.get("latencySincePrintedMs") instanceof Map<?, ?> printed) {
            s.append(String.format(Locale.ROOT, "  output -> receipt latency (ms, with the wait in the worker): p50 %s, p90 %s, p99 %s, max %s%n",
                    printed.get("p50"), printed.get("p90"), printed.get("p99"), printed.get("max")));
        }
        Map<String, Object> lines = (Map<String, Object>) r.get("linesPerAppend");
        s.append(String.format(Locale.ROOT, "  %s appends over HTTP of up to %s lines (p50 %s, max %s lines): p50 %s ms, p99 %s, max %s; "
                        + "the command held back %s times; writer kept up: %s%n", r.get("appends"), options.get("maxLinesPerAppend"),
                lines.get("p50"), lines.get("max"), append.get("p50"), append.get("p99"), append.get("max"), r.get("printerHeldBack"),
                r.get("writerKeptUp")));
        s.append(String.format(Locale.ROOT, "  the server's mean ms per append (request, then its phases): %s%n", r.get("serverAppendMs")));
        if (r.get("cpu") instanceof Map<?, ?> cpu) {
            s.append(String.format(Locale.ROOT, "  CPU over the %s s from the first write to the last end: server %s, harness %s%n",
                    cpu.get("wallSeconds"), side(cpu.get("server")), side(cpu.get("harness"))));
        }
        s.append(String.format(Locale.ROOT, "  load average before %s, after %s; server %s%n", Arrays.toString((double[]) r.get("loadAverageBefore")),
                Arrays.toString((double[]) r.get("loadAverageAfter")), r.get("serverJar")));
        return s.toString();
    }

    /** One side's CPU: its share of one CPU, its seconds, and its busiest thread groups. */
    private static String side(Object side) {
        if (!(side instanceof Map<?, ?> m)) {
            return "not measured";
        }
        return String.format(Locale.ROOT, "%s of a CPU (%s s: %s)", m.get("cpuShare"), m.get("cpuSeconds"), m.get("threadGroupsCpuSeconds"));
    }
}
