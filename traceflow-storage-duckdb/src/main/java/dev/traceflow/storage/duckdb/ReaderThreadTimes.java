package dev.traceflow.storage.duckdb;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling platform thread's own clocks: its CPU time, and (on Linux) how long it has been
 * runnable but waiting for a CPU ({@code /proc/thread-self/schedstat}, the kernel's run-queue
 * delay). A read's time on its reader thread is the sum of the two plus the time it was blocked,
 * so they tell an answer slowed by its own work from one that waited for the CPU behind other
 * threads (on the query benchmark's one-CPU server: ingest, the loader and the JIT compiler).
 */
final class ReaderThreadTimes {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");
    /** Whether the run-queue delay can be read here; checked once (not on Linux, or schedstats off: no). */
    private static final boolean RUN_QUEUE = runQueueNanosOrNegative() >= 0;

    private ReaderThreadTimes() {
    }

    /** The current thread's CPU time in nanoseconds, or -1 where the JVM does not measure it. */
    static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    /** Whether {@link #runQueueNanos()} measures anything on this machine. */
    static boolean runQueueMeasured() {
        return RUN_QUEUE;
    }

    /** The current thread's time runnable but not running so far, in nanoseconds; -1 when not measured. */
    static long runQueueNanos() {
        return RUN_QUEUE ? runQueueNanosOrNegative() : -1;
    }

    private static long runQueueNanosOrNegative() {
        try {
            // "<on-CPU ns> <run-queue wait ns> <time slices>"
            String[] fields = Files.readString(SCHEDSTAT).trim().split(" ");
            return fields.length >= 2 ? Long.parseLong(fields[1]) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
