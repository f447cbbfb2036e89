package dev.traceflow.builds.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The threads of a pool of build workers, in-process ({@link BuildWorkers}) or in a worker process
 * ({@link RemoteWorkers}): one claim loop per slot, named {@code <owner>:<slot>}, and a ticker once a
 * second (waiting log lines, heartbeats); stopped together.
 */
final class WorkerThreads {

    private final ExecutorService loops;
    private final ScheduledExecutorService ticker;

    private WorkerThreads(ExecutorService loops, ScheduledExecutorService ticker) {
        this.loops = loops;
        this.ticker = ticker;
    }

    /**
     * @param threadPrefix names the threads ({@code <prefix>-0...}, {@code <prefix>-ticker})
     * @param daemon       whether the loops may end with the JVM (a worker process is kept alive by them)
     * @param loop         one slot's claim loop, given its worker name
     */
    static WorkerThreads start(String threadPrefix, String owner, int slots, boolean daemon, Consumer<String> loop, Runnable tick) {
        ExecutorService loops = Executors.newFixedThreadPool(slots, Thread.ofPlatform().name(threadPrefix + "-", 0).daemon(daemon).factory());
        for (int i = 0; i < slots; i++) {
            String me = owner + ":" + i;
            loops.submit(() -> loop.accept(me));
        }
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(threadPrefix + "-ticker").daemon(true).factory());
        ticker.scheduleWithFixedDelay(tick, 1, 1, TimeUnit.SECONDS);
        return new WorkerThreads(loops, ticker);
    }

    /** Interrupts the loops and the ticker, and waits up to {@code grace} for the loops to end. */
    void stop(Duration grace) {
        loops.shutdownNow();
        ticker.shutdownNow();
        try {
            loops.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
