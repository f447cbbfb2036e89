package dev.traceflow.storage.duckdb;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.concurrent.TimeUnit;

/**
 * The compaction's meters ({@link DuckDbCompactor}): rows and ranges rewritten and the time they
 * took, the ranges still due at the last look, and the passes that failed.
 */
final class DuckDbCompactionMeters implements MeterBinder {

    private final DuckDbCompactor compactor;

    DuckDbCompactionMeters(DuckDbCompactor compactor) {
        this.compactor = compactor;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("traceflow.storage.compaction.rows", compactor, DuckDbCompactor::rowsCompacted)
                .description("Event rows rewritten in (app, type, time) order by the compaction of closed days")
                .register(registry);
        FunctionTimer.builder("traceflow.storage.compaction.ranges", compactor,
                        DuckDbCompactor::rangesCompacted, DuckDbCompactor::nanos, TimeUnit.NANOSECONDS)
                .description("Ranges (an app's day or week) rewritten, and the time their transactions took")
                .register(registry);
        Gauge.builder("traceflow.storage.compaction.pending", compactor, DuckDbCompactor::pendingRanges)
                .description("Ranges due for a rewrite at the compaction's last look, less those rewritten since")
                .register(registry);
        FunctionCounter.builder("traceflow.storage.compaction.failures", compactor, DuckDbCompactor::failures)
                .description("Compaction passes that failed (their ranges stay due for the next pass)")
                .register(registry);
    }
}
