package dev.traceflow.http;

import java.util.List;

/**
 * Every route the ingest feature serves, in one place: its controllers map them, its CORS filter
 * recognises them, and the security configuration lets them past the user-token filter chain
 * (they are authenticated by ingest keys, inside the ingest feature). Here, at the web edge,
 * because both features read it and neither may depend on the other.
 */
public final class IngestPaths {

    public static final String COLLECT = "/api/collect";
    public static final String COLLECT_BATCH = "/api/collect/batch";
    public static final String TELEMETRY_BATCH = "/api/telemetry/batch";
    public static final String PERF_BATCH = "/api/perf/batch";
    public static final String ANALYTICS_EVENT = "/api/event";
    public static final String ANALYTICS_SCHEMA = "/api/event/schema.proto";
    /** The benchmark's ceiling; mapped only when {@code traceflow.benchmark.noop-endpoint} is on. */
    public static final String BENCH_NOOP = "/bench/noop";

    /** The routes that take events with an ingest key (CORS for browsers applies to these). */
    public static final List<String> EVENT_ROUTES = List.of(COLLECT, COLLECT_BATCH, TELEMETRY_BATCH, PERF_BATCH, ANALYTICS_EVENT);

    /** Every route outside the user-token filter chain. */
    public static final List<String> ALL = List.of(COLLECT, COLLECT_BATCH, TELEMETRY_BATCH, PERF_BATCH, ANALYTICS_EVENT,
            ANALYTICS_SCHEMA, BENCH_NOOP);

    private IngestPaths() {
    }
}
