package dev.traceflow.core.storage;

/**
 * A storage backend for events, split by capability (Zipkin's {@code StorageComponent} shape).
 *
 * <p>New capabilities are added as methods with defaults that throw
 * {@link UnsupportedOperationException}, so older backends still compile.
 */
public interface EventStorage extends AutoCloseable {

    /** Short backend name for health and logs, e.g. {@code duckdb}. */
    String name();

    /** The write side; see {@link EventConsumer} for which methods are thread-safe. */
    EventConsumer consumer();

    /** Counting events by app, type and time range. Thread-safe. */
    EventCounts counts();

    /** Web vitals, navigation and resource timings. */
    default PerformanceQueries performance() {
        throw unsupported("performance queries");
    }

    /** Error events (the groups themselves are metadata, kept by the server). */
    default ErrorQueries errors() {
        throw unsupported("error queries");
    }

    /** Sessions, page transitions, heatmaps. */
    default SessionQueries sessions() {
        throw unsupported("session queries");
    }

    /** The metrics engine: series and overview. */
    default MetricQueries metrics() {
        throw unsupported("metric queries");
    }

    /** Product analytics: active users, custom-event aggregates. */
    default ProductQueries product() {
        throw unsupported("product analytics queries");
    }

    /** Release health: sessions, crashes and crash-free rates per release. */
    default ReleaseHealthQueries releaseHealth() {
        throw unsupported("release health queries");
    }

    private UnsupportedOperationException unsupported(String capability) {
        return new UnsupportedOperationException("the " + name() + " event store cannot answer " + capability);
    }

    /**
     * Checks that the backend can serve reads and writes now.
     *
     * @throws StorageException when it cannot, with a reason safe to show an operator
     */
    void check();

    /** Releases connections and files; pending writes must have been flushed by the caller. */
    @Override
    void close();
}
