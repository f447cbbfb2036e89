package dev.traceflow.core.query;

/**
 * One session as API.md "Meaning of the numbers" defines it, summarised.
 *
 * @param id             the client's {@code sessionId}, or for a session formed at query time
 *                       {@link Sessionizer#computedId(String, long)}
 * @param user           userId, else anonymousId, else the session id (API.md's "user")
 * @param userId         the first userId seen in the session, or null
 * @param start          first event, epoch ms
 * @param end            last event, epoch ms
 * @param pageViews      {@code pageview} events
 * @param events         all events
 * @param conversions    {@code conversion} and {@code purchase} events
 * @param revenue        sum of their {@code properties.revenue}
 * @param entryPage      path of the first page view, or null without page views
 * @param exitPage       path of the last page view, or null
 * @param browser        dimensions of the session's first event (may be null)
 */
public record SessionSummary(String id, String user, String userId, long start, long end, long pageViews, long events,
                             long conversions, double revenue, String entryPage, String exitPage,
                             String browser, String os, String deviceType, String country, String trafficSource,
                             String release, String environment) {

    /** Seconds from the first to the last event. */
    public double durationSeconds() {
        return (end - start) / 1000.0;
    }

    /** Exactly one page view and no conversion. */
    public boolean bounced() {
        return pageViews == 1 && conversions == 0;
    }

    /** At least 10 s long, or at least two page views, or a conversion. */
    public boolean engaged() {
        return engaged(start, end, pageViews, conversions);
    }

    /**
     * {@link #engaged()} of a session known only by its first and last event time (epoch ms) and its
     * counts: for those who follow sessions as they form, without a summary.
     */
    public static boolean engaged(long start, long end, long pageViews, long conversions) {
        return (end - start) / 1000.0 >= 10 || pageViews >= 2 || conversions > 0;
    }

    /** Whether the session's dimensions (entry page for {@code path}) match the filters. */
    public boolean matches(Filters f) {
        return eq(f.release(), release) && eq(f.environment(), environment) && eq(f.path(), entryPage)
                && eq(f.browser(), browser) && eq(f.os(), os) && eq(f.deviceType(), deviceType)
                && eq(f.country(), country);
    }

    private static boolean eq(String wanted, String actual) {
        return wanted == null || wanted.equals(actual);
    }
}
