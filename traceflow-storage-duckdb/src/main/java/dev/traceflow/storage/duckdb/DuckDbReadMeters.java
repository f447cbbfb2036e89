package dev.traceflow.storage.duckdb;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.concurrent.TimeUnit;

/**
 * The answer queries' meters: how long reads waited for one of the bounded reader threads and how
 * long they then ran on it, of that how much was the reader thread's own CPU time and how much it
 * waited for a CPU held by other threads, how many wait now and how many were refused, and how many
 * statements were prepared or reused. Beside the server's own request timers they tell a slow
 * answer's queueing from its query's work, from CPU contention and from the rest of the request
 * (authentication, JSON).
 */
final class DuckDbReadMeters implements MeterBinder {

    /** One text for both phases: Prometheus keeps one description per name. */
    private static final String TIMES = "Answer queries: time queued for a reader thread (phase=wait) and on it, "
            + "running the statement and reading its rows (phase=run)";

    private static final String STATEMENTS = "Answer statements prepared (result=prepared) and run again on a reader "
            + "connection without preparing (result=reused)";

    private final DuckDbReads reads;

    DuckDbReadMeters(DuckDbReads reads) {
        this.reads = reads;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionTimer.builder("traceflow.storage.reads", reads, DuckDbReads::ran, DuckDbReads::waitNanos, TimeUnit.NANOSECONDS)
                .tag("phase", "wait")
                .description(TIMES)
                .register(registry);
        FunctionTimer.builder("traceflow.storage.reads", reads, DuckDbReads::ran, DuckDbReads::runNanos, TimeUnit.NANOSECONDS)
                .tag("phase", "run")
                .description(TIMES)
                .register(registry);
        FunctionTimer.builder("traceflow.storage.reads.cpu", reads, DuckDbReads::ran, DuckDbReads::cpuNanos, TimeUnit.NANOSECONDS)
                .description("Answer queries: CPU time of their reader threads while they ran (part of phase=run)")
                .register(registry);
        if (ReaderThreadTimes.runQueueMeasured()) {
            FunctionTimer.builder("traceflow.storage.reads.cpu.wait", reads, DuckDbReads::ran, DuckDbReads::cpuWaitNanos,
                            TimeUnit.NANOSECONDS)
                    .description("Answer queries: time their reader threads were ready to run but waited for a CPU "
                            + "taken by other threads (part of phase=run; Linux run-queue delay)")
                    .register(registry);
        }
        Gauge.builder("traceflow.storage.reads.waiting", reads, DuckDbReads::waiting)
                .description("Answer queries waiting for a reader thread now (at most " + DuckDbReads.MAX_WAITING + ")")
                .register(registry);
        FunctionCounter.builder("traceflow.storage.reads.refused", reads, DuckDbReads::refused)
                .description("Answer queries refused because too many were waiting (the server answers 503)")
                .register(registry);
        FunctionCounter.builder("traceflow.storage.reads.statements", reads, DuckDbReads::statementsPrepared)
                .tag("result", "prepared")
                .description(STATEMENTS)
                .register(registry);
        FunctionCounter.builder("traceflow.storage.reads.statements", reads, DuckDbReads::statementsReused)
                .tag("result", "reused")
                .description(STATEMENTS)
                .register(registry);
    }
}
