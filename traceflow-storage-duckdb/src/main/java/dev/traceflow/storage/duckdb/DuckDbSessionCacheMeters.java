package dev.traceflow.storage.duckdb;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.concurrent.TimeUnit;

/**
 * The session cache's meters: how many days reads had to form on their request thread (what the
 * background refresh is there to keep low) against those {@link DuckDbSessionRefresher} formed,
 * and the refresh passes' time and failures.
 */
final class DuckDbSessionCacheMeters implements MeterBinder {

    private final DuckDbStorage storage;

    DuckDbSessionCacheMeters(DuckDbStorage storage) {
        this.storage = storage;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        DuckDbSessionCache cache = storage.reads().sessionCache();
        DuckDbSessionRefresher refresher = storage.sessionRefresher();
        FunctionCounter.builder("traceflow.storage.session.cache.days.formed", cache, DuckDbSessionCache::formedOnRead)
                .tag("by", "read")
                .description("Days of sessions formed by a read that found them missing or outdated (on its request)")
                .register(registry);
        FunctionCounter.builder("traceflow.storage.session.cache.days.formed", cache, DuckDbSessionCache::formedInBackground)
                .tag("by", "refresh")
                .description("Outdated days of sessions formed again in the background after loads")
                .register(registry);
        FunctionTimer.builder("traceflow.storage.session.cache.refresh", refresher,
                        DuckDbSessionRefresher::passes, DuckDbSessionRefresher::passNanos, TimeUnit.NANOSECONDS)
                .description("Background passes over the outdated days of the session cache")
                .register(registry);
        FunctionCounter.builder("traceflow.storage.session.cache.refresh.failures", refresher, DuckDbSessionRefresher::failures)
                .description("Background refresh passes that failed (their days are formed by the next read or pass)")
                .register(registry);
    }
}
