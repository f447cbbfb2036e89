package dev.traceflow.http;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
    /**
     * Sentry's envelope endpoint, where Sentry SDKs send when their DSN names this server; the project
     * is the app's {@code sentryProjectId}. SDKs write the trailing slash; the route takes it either way.
     */
    public static final String SENTRY_ENVELOPE = "/api/{projectId:\\d+}/envelope/";
    /** Sentry's older endpoint for one event, still used by some SDKs. */
    public static final String SENTRY_STORE = "/api/{projectId:\\d+}/store/";
    /** The Sentry routes as mapped: with and without the trailing slash. */
    public static final List<String> SENTRY_ROUTES = List.of(SENTRY_ENVELOPE, withoutSlash(SENTRY_ENVELOPE), SENTRY_STORE,
            withoutSlash(SENTRY_STORE));
    private static final Pattern SENTRY_PATH = Pattern.compile("/api/\\d+/(?:envelope|store)/?");
    /** The benchmark's ceiling; mapped only when {@code traceflow.benchmark.noop-endpoint} is on. */
    public static final String BENCH_NOOP = "/bench/noop";

    /** The routes that take events with an ingest key (CORS for browsers applies to these). */
    public static final List<String> EVENT_ROUTES = List.of(COLLECT, COLLECT_BATCH, TELEMETRY_BATCH, PERF_BATCH, ANALYTICS_EVENT);

    /** Every route outside the user-token filter chain. */
    public static final List<String> ALL = Stream.concat(Stream.of(COLLECT, COLLECT_BATCH, TELEMETRY_BATCH, PERF_BATCH,
            ANALYTICS_EVENT, ANALYTICS_SCHEMA, BENCH_NOOP), SENTRY_ROUTES.stream()).toList();

    /** Whether a request path is one of the routes that take events (browser CORS applies to these). */
    public static boolean takesEvents(String path) {
        return EVENT_ROUTES.contains(path) || SENTRY_PATH.matcher(path).matches();
    }

    private static String withoutSlash(String route) {
        return route.substring(0, route.length() - 1);
    }

    private IngestPaths() {
    }
}
