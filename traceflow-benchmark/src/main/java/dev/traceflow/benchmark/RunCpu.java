package dev.traceflow.benchmark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The CPU the server and the harness used over one measured run, so that a run says which side's CPU
 * ran out: each pinned to its own CPU, a side that used nearly a whole CPU for the run's wall time is
 * the one the latencies wait on. Threads are grouped by name without their numbers (a pool's threads
 * together; the server's virtual threads run on {@code ForkJoinPool-1-worker-}).
 */
final class RunCpu {

    private static final Pattern NUMBERS = Pattern.compile("\\d+");
    /** groups listed per side, largest first; the rest are summed as "rest" */
    static final int TOP_GROUPS = 6;

    private final Long serverPid;
    private final long startNanos = System.nanoTime();
    private final Optional<ProcessCpu.Snapshot> server;
    private final Optional<ProcessCpu.Snapshot> harness;

    private RunCpu(Long serverPid) {
        this.serverPid = serverPid;
        this.server = serverPid == null ? Optional.empty() : ProcessCpu.read(serverPid, RunCpu::group);
        this.harness = ProcessCpu.read(ProcessHandle.current().pid(), RunCpu::group);
    }

    /** Starts measuring now; {@code serverPid} null: the harness only. */
    static RunCpu start(Long serverPid) {
        return new RunCpu(serverPid);
    }

    /** "http-nio-8080-exec-12" → "http-nio-#-exec-#": one pool's threads are one group. */
    static String group(String threadName) {
        return NUMBERS.matcher(threadName).replaceAll("#");
    }

    /**
     * Since the start: per side ({@code server}, {@code harness}), the wall seconds, the CPU seconds, the
     * share of one CPU ({@code cpu / wall}) and the largest thread groups' CPU seconds. A side /proc
     * cannot tell is left out.
     */
    Map<String, Object> report() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("wallSeconds", round(wall));
        server.ifPresent(before -> ProcessCpu.read(serverPid, RunCpu::group)
                .ifPresent(now -> out.put("server", side(now.since(before), wall))));
        harness.ifPresent(before -> ProcessCpu.read(ProcessHandle.current().pid(), RunCpu::group)
                .ifPresent(now -> out.put("harness", side(now.since(before), wall))));
        return out;
    }

    static Map<String, Object> side(ProcessCpu.Snapshot used, double wallSeconds) {
        Map<String, Object> side = new LinkedHashMap<>();
        side.put("cpuSeconds", round(used.totalNanos() / 1e9));
        side.put("cpuShare", wallSeconds <= 0 ? 0 : round(used.totalNanos() / 1e9 / wallSeconds));
        List<Map.Entry<String, Long>> groups = used.groupNanos().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).toList();
        Map<String, Double> top = new LinkedHashMap<>();
        long rest = 0;
        for (int i = 0; i < groups.size(); i++) {
            if (i < TOP_GROUPS) {
                top.put(groups.get(i).getKey(), round(groups.get(i).getValue() / 1e9));
            } else {
                rest += groups.get(i).getValue();
            }
        }
        if (rest > 0) {
            top.put("rest", round(rest / 1e9));
        }
        side.put("threadGroupsCpuSeconds", top);
        return side;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
