package dev.traceflow.benchmark;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where the server's CPU went during one pass of the query benchmark: each group of its threads'
 * share, the answers' reader threads apart from the ingest's, and how busy that kept the server.
 * Under ingest at half its maximum, whether an answer meets its target is mostly a question of how
 * much of the one core it gets (README "Query benchmark", nineteenth session), which the latencies
 * alone do not show.
 *
 * @param seconds         the pass's length
 * @param coresBusy       the server's CPU seconds per second of the pass
 * @param percentByGroup  each group's share of the server's CPU in the pass, largest first
 */
record ServerCpuShares(double seconds, double coresBusy, Map<String, Double> percentByGroup) {

    /** The group of a server thread, by the name Linux shows (cut to 15 bytes). */
    static String groupOfThread(String name) {
        if (name.startsWith("duckdb-read")) {
            return "answers";
        }
        if (name.startsWith("duckdb-session")) {
            return "session refresh";
        }
        if (name.startsWith("duckdb-compact")) {
            return "compaction";
        }
        return PhaseResources.groupOfServerThread(name);
    }

    /** The shares of {@code used}, the server's CPU over {@code seconds}; empty when it used none or the pass took no time. */
    static Optional<ServerCpuShares> of(ProcessCpu.Snapshot used, double seconds) {
        if (used.totalNanos() <= 0 || seconds <= 0) {
            return Optional.empty();
        }
        Map<String, Double> shares = used.groupNanos().entrySet().stream()
                .filter(group -> group.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, group -> round(100.0 * group.getValue() / used.totalNanos()),
                        (a, b) -> a, LinkedHashMap::new));
        return Optional.of(new ServerCpuShares(round(seconds), round(used.totalNanos() / 1e9 / seconds), shares));
    }

    /** For the results' JSON. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("seconds", seconds);
        map.put("coresBusy", coresBusy);
        map.put("percentByGroup", percentByGroup);
        return map;
    }

    /** One line: {@code 0.97 of a core: answers 50.6 %, requests 21.7 %, ...}. */
    String describe() {
        return String.format(Locale.ROOT, "%.2f of a core: ", coresBusy) + percentByGroup.entrySet().stream()
                .map(group -> String.format(Locale.ROOT, "%s %.1f %%", group.getKey(), group.getValue()))
                .collect(Collectors.joining(", "));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
