package dev.traceflow.behavior;

/**
 * OpenAPI descriptions of the common read parameters ({@link dev.traceflow.reading.ReadRequests}),
 * written once for this feature's endpoints, which take them as one map.
 */
final class QueryParameters {

    static final String APP_ID = "The app to read (required). 404 when it does not exist or you have no role on it.";
    static final String FROM = "Start of the range, inclusive: ISO-8601 or epoch ms. Default: 24 hours before `to`.";
    static final String TO = "End of the range, exclusive: ISO-8601 or epoch ms. Default: now.";
    static final String RELEASE = "Only this release (exact match).";
    static final String ENVIRONMENT = "Only this environment (exact match).";
    static final String PATH_SESSION = "Only sessions whose entry page (first page view's path) is this.";
    static final String BROWSER = "Only this browser (exact match, e.g. `Chrome`).";
    static final String OS = "Only this operating system (exact match).";
    static final String DEVICE_TYPE = "Only `desktop`, `mobile`, `tablet` or `bot`.";
    static final String COUNTRY = "Only this country (exact match).";
    static final String FRESH = "`true` waits (up to 5 s) until every event acknowledged before this request is "
            + "queryable; default `false` reads what is loaded (events acknowledged about a second ago).";
    static final String SESSION_FILTERS = " Filters apply to a session's dimensions: those of its first event, "
            + "`path` being the entry page.";

    private QueryParameters() {
    }
}
