package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessResourcesTest {

    @TempDir
    Path proc;

    /** A /proc stat line with {@code utime} and {@code stime} ticks, as Linux writes it. */
    private static String stat(int id, String name, long utime, long stime) {
        return id + " (" + name + ") S 1 1 1 0 -1 4194624 100 0 0 0 " + utime + " " + stime + " 0 0 20 0 1 0 100 1000 10\n";
    }

    private void process(long utime, long stime, Map<String, long[]> threads) throws IOException {
        Files.writeString(proc.resolve("stat"), stat(1, "java", utime, stime));
        int tid = 1;
        for (Map.Entry<String, long[]> thread : threads.entrySet()) {
            Path task = Files.createDirectories(proc.resolve("task").resolve(Integer.toString(tid++)));
            Files.writeString(task.resolve("stat"), stat(tid, thread.getKey(), thread.getValue()[0], thread.getValue()[1]));
        }
    }

    @Test
    void readsTheNameBetweenTheFirstAndLastParenthesisAndTheTicksAfterIt() {
        String line = stat(42, "odd) name (x", 7, 5);

        assertThat(ProcessCpu.threadName(line)).isEqualTo("odd) name (x");
        assertThat(ProcessCpu.ticks(line)).isEqualTo(12);
    }

    @Test
    void sumsThreadsByGroupInNanosecondsOfTicks() throws IOException {
        process(100, 50, Map.of(
                "ForkJoinPool-1-", new long[] {40, 10},
                "http-nio-8080-P", new long[] {5, 5},
                "traceflow-stora", new long[] {30, 20},
                "VM Periodic Tas", new long[] {1, 0}));

        ProcessCpu.Snapshot snapshot = ProcessCpu.read(proc, PhaseResources::groupOfServerThread).orElseThrow();

        assertThat(snapshot.totalNanos()).isEqualTo(150 * 10_000_000L);
        assertThat(snapshot.groupNanos()).containsEntry("requests", 60 * 10_000_000L)
                .containsEntry("loader", 50 * 10_000_000L)
                .containsEntry(ProcessCpu.OTHER, 10_000_000L);
    }

    @Test
    void theTimeOfThreadsThatEndedBetweenSnapshotsCountsAsOther() {
        ProcessCpu.Snapshot before = new ProcessCpu.Snapshot(1_000, Map.of("requests", 600L, "journal", 300L));
        // the journal thread ended: its 300 left the per-thread sum but not the process total
        ProcessCpu.Snapshot after = new ProcessCpu.Snapshot(1_500, Map.of("requests", 900L));

        ProcessCpu.Snapshot used = after.since(before);

        assertThat(used.groupNanos()).containsEntry("requests", 300L).containsEntry(ProcessCpu.OTHER, 200L);
        assertThat(used.totalNanos()).isEqualTo(500);
    }

    @Test
    void aProcessThatIsGoneGivesNothing() {
        assertThat(ProcessCpu.read(proc.resolve("missing"), name -> name)).isEmpty();
    }

    @Test
    void seesTheCpuOfANamedThreadOfThisProcess() throws Exception {
        Requirements.require(Files.isDirectory(Path.of("/proc/self/task")), "Linux /proc");
        long pid = ProcessHandle.current().pid();
        ProcessCpu.Snapshot before = ProcessCpu.read(pid, PhaseResources::groupOfServerThread).orElseThrow();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CountDownLatch burned = new CountDownLatch(1);
        CountDownLatch read = new CountDownLatch(1);

        Thread busy = Thread.ofPlatform().name("traceflow-storage-writer").start(() -> {
            // until the JVM says this thread used 200 ms of CPU, however long a busy machine takes
            // to give it that: the test is about reading /proc, not about this machine's pace
            long x = 0;
            while (threads.getCurrentThreadCpuTime() < 200_000_000L) {
                x += Long.numberOfTrailingZeros(x + 1);
            }
            assertThat(x).isNotNegative();
            burned.countDown();
            try {
                // alive until read: a thread's own stat file goes when it ends
                read.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(burned.await(5, TimeUnit.MINUTES)).isTrue();
        ProcessCpu.Snapshot during = ProcessCpu.read(pid, PhaseResources::groupOfServerThread).orElseThrow();
        read.countDown();
        busy.join();
        ProcessCpu.Snapshot used = during.since(before);

        // /proc counts in 10 ms ticks: 200 ms used, at least 150 ms seen
        assertThat(used.groupNanos().getOrDefault("loader", 0L)).isGreaterThanOrEqualTo(150_000_000L);
        assertThat(used.totalNanos()).isGreaterThanOrEqualTo(used.groupNanos().get("loader"));
    }

    @Test
    void readsResidentAndPeakMemoryFromProcStatus() throws IOException {
        Path status = Files.writeString(proc.resolve("status"),
                "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\nThreads:\t40\n");

        assertThat(ProcessMemory.read(status)).contains(new ProcessMemory(256L << 20, 512L << 20));
        assertThat(ProcessMemory.read(proc.resolve("missing"))).isEmpty();
        assertThat(ProcessMemory.read(Files.writeString(proc.resolve("odd"), "VmRSS:\t 12 MB\nVmHWM:\t 12 kB\n"))).isEmpty();
    }

    @Test
    void readsThisProcessMemory() {
        Requirements.require(Files.isDirectory(Path.of("/proc/self")), "Linux /proc");

        ProcessMemory memory = ProcessMemory.read(ProcessHandle.current().pid()).orElseThrow();

        assertThat(memory.rssBytes()).isPositive().isLessThanOrEqualTo(memory.peakRssBytes());
    }

    @Test
    void serverThreadsAreGroupedByTheirJob() {
        assertThat(List.of("ForkJoinPool-1-", "ForkJoinPool.co", "traceflow-journ", "GC Thread#0", "G1 Conc#0", "VM Thread",
                        "C2 CompilerThre", "C1 CompilerThre", "HikariPool-1:ho", "VM Periodic Tas"))
                .map(PhaseResources::groupOfServerThread)
                .containsExactly("requests", ProcessCpu.OTHER, "journal", "gc", "gc", "gc", "jit", "jit", ProcessCpu.OTHER,
                        ProcessCpu.OTHER);
    }

    @Test
    void theReportShowsCpuPerEventAndTheRatioItAllows() {
        PhaseResources noop = new PhaseResources("noop", 20, 1_000_000, 1.9,
                Map.of("requests", 1.5, "gc", 0.1), 1.6, 0.4, 310L, 320L);
        PhaseResources ingest = new PhaseResources("ingest", 21, 200_000, 1.8,
                Map.of("requests", 5.0, "loader", 5.0), 10.0, 0.5, 480L, 512L);
        BenchmarkReport report = new BenchmarkReport("now", Map.of(), Map.of(), null, List.of(), 15.0,
                List.of(noop, ingest), 0, null, null, List.of(), false, List.of(), null);

        String markdown = report.toMarkdown();

        assertThat(markdown).contains("| where | noop | ingest |",
                "| server: requests: HTTP, JSON, processing, encoding | 1.50 | 5.00 |",
                "| server: storage loader (DuckDB append + commit) | 0.00 | 5.00 |",
                "| **server** | 1.60 | 10.00 |",
                "| load generator | 0.40 | 0.50 |",
                "| **total** | 2.00 | 10.50 |",
                "| cores busy | 1.90 | 1.80 |",
                "| server resident memory at the end, MiB | 310 | 480 |",
                "| server peak resident memory so far, MiB | 320 | 512 |",
                "at most noop's total CPU per event ÷ ingest's: **19.0 %**");
        assertThat(report.toJson()).contains("\"serverMicrosPerEvent\"", "\"loader\" : 5.0");
    }
}
