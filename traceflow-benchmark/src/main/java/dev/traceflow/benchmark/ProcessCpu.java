package dev.traceflow.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * CPU time a process has used, in total and split into groups of its threads, read from Linux's
 * {@code /proc}. Two snapshots around a phase say where the phase's CPU went: per event, that is
 * the budget the ingest / no-op ratio is made of, since on a machine whose cores are all busy the
 * ratio can be at most the no-op's CPU per event over the ingest's.
 *
 * <p>Thread times come from {@code /proc/PID/task/TID/stat} and the total from {@code /proc/PID/stat},
 * both in clock ticks (USER_HZ, 100 per second on Linux whatever the kernel's own tick rate). The
 * total also holds threads that ended between the snapshots, which no per-thread file shows any
 * more; that difference is reported as the {@link #OTHER} group.
 */
final class ProcessCpu {

    static final String OTHER = "other";
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final Path PROC = Path.of("/proc");

    private ProcessCpu() {
    }

    /**
     * CPU nanoseconds used so far.
     *
     * @param totalNanos  the whole process, ended threads included
     * @param groupNanos  the live threads, summed by group, in the order groups were first seen
     */
    record Snapshot(long totalNanos, Map<String, Long> groupNanos) {

        /** What was used between {@code earlier} and this snapshot; threads that ended in between go to {@link #OTHER}. */
        Snapshot since(Snapshot earlier) {
            Map<String, Long> used = new LinkedHashMap<>();
            long grouped = 0;
            for (Map.Entry<String, Long> group : groupNanos.entrySet()) {
                // a thread that ended takes its time out of its group's sum: never below zero
                long delta = Math.max(0, group.getValue() - earlier.groupNanos.getOrDefault(group.getKey(), 0L));
                used.merge(group.getKey(), delta, Long::sum);
                grouped += delta;
            }
            long total = Math.max(0, totalNanos - earlier.totalNanos);
            used.merge(OTHER, Math.max(0, total - grouped), Long::sum);
            return new Snapshot(Math.max(total, grouped), used);
        }
    }

    /** The process's CPU so far, its threads grouped by {@code groupOfThread} (given the thread's name); empty where /proc cannot tell. */
    static Optional<Snapshot> read(long pid, Function<String, String> groupOfThread) {
        return read(PROC.resolve(Long.toString(pid)), groupOfThread);
    }

    static Optional<Snapshot> read(Path processDir, Function<String, String> groupOfThread) {
        try {
            long total = ticks(Files.readString(processDir.resolve("stat")));
            Map<String, Long> groups = new LinkedHashMap<>();
            try (Stream<Path> tasks = Files.list(processDir.resolve("task"))) {
                for (Path task : tasks.sorted().toList()) {
                    String stat;
                    try {
                        stat = Files.readString(task.resolve("stat"));
                    } catch (IOException ended) {
                        continue; // the thread ended while we listed: the process total still holds it
                    }
                    groups.merge(groupOfThread.apply(threadName(stat)), ticks(stat) * NANOS_PER_TICK, Long::sum);
                }
            }
            return Optional.of(new Snapshot(total * NANOS_PER_TICK, groups));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The {@code comm} field: between the first '(' and the last ')', since a name may hold either. */
    static String threadName(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a /proc stat line");
        }
        return stat.substring(open + 1, close);
    }

    /** utime + stime: fields 14 and 15, counted after the name so spaces in the name do not shift them. */
    static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state), so field 14 is fields[11]
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
