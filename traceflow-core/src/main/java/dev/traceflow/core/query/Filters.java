package dev.traceflow.core.query;

import dev.traceflow.core.event.Event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The common filters of API.md "Reading data": each is an exact match on one of an event's
 * dimensions, null when not asked for. How a filter applies depends on what is counted: an
 * event-level number (page views, errors, vitals, custom events) filters each event on its own
 * dimensions; a session-level number (sessions, bounce rate, visitors...) filters each session on
 * the session's dimensions, which are those of its first event, with {@code path} being the entry
 * page.
 */
public record Filters(String release, String environment, String path, String browser, String os,
                      String deviceType, String country) {

    public static final Filters NONE = new Filters(null, null, null, null, null, null, null);

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** These filters with {@code release} in place of this one's (null: any release). */
    public Filters withRelease(String release) {
        return new Filters(release, environment, path, browser, os, deviceType, country);
    }

    /**
     * The asked filters by dimension column name ({@code release, environment, path, browser, os,
     * device_type, country}), in that order; what a SQL backend turns into bound equality checks.
     */
    public Map<String, String> byColumn() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "release", release);
        put(m, "environment", environment);
        put(m, "path", path);
        put(m, "browser", browser);
        put(m, "os", os);
        put(m, "device_type", deviceType);
        put(m, "country", country);
        return m;
    }

    private static void put(Map<String, String> m, String column, String value) {
        if (value != null) {
            m.put(column, value);
        }
    }

    /** Whether an event's own dimensions match every asked filter. */
    public boolean matches(Event e) {
        return matches(e, e.path());
    }

    /**
     * Whether an event matches, with {@code path} compared to {@code pathValue} instead of the
     * event's own (a session's entry page).
     */
    public boolean matches(Event e, String pathValue) {
        return eq(release, e.release()) && eq(environment, e.environment()) && eq(path, pathValue)
                && eq(browser, e.browser()) && eq(os, e.os()) && eq(deviceType, e.deviceType())
                && eq(country, e.country());
    }

    private static boolean eq(String wanted, String actual) {
        return wanted == null || Objects.equals(wanted, actual);
    }
}
