package dev.traceflow.reading;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.http.ApiException;
import dev.traceflow.http.RequestTimes;
import dev.traceflow.storage.EventWriteQueue;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the common parameters of an answer endpoint (API.md "Reading data") into an
 * {@link EventQuery}, after checking that the caller may read the app. Every problem is a 400
 * {@code INVALID_PARAMETER} naming the parameter; an app the caller cannot read is a 404, as for one
 * that does not exist.
 *
 * <p>Decisions where API.md is silent: {@code to} defaults to now and {@code from} to 24 hours
 * before {@code to}; {@code granularity} defaults to {@code hour} for ranges up to 48 hours and to
 * {@code day} beyond; a parameter the endpoint does not know is refused (a typo such as
 * {@code appid} would otherwise silently answer something else); filter values are at most
 * {@value #MAX_VALUE_LENGTH} characters.
 *
 * <p>Read-after-write: answers read what the event store has loaded, which is every event
 * acknowledged (202) more than about a second ago under normal load; queries never force a load.
 * A caller that must see its own writes passes {@code fresh=true}: the answer then waits (up to
 * {@value #FRESH_WAIT_SECONDS} s) until everything acknowledged before the request is queryable.
 */
@Component
public class ReadRequests {

    public static final int MAX_VALUE_LENGTH = 200;
    static final int FRESH_WAIT_SECONDS = 5;

    /** The parameters every answer endpoint takes. */
    public static final Set<String> COMMON = Set.of("appId", "from", "to", "release", "environment", "path", "browser", "os",
            "deviceType", "country", "fresh");
    /** Added for series endpoints. */
    public static final Set<String> SERIES = Set.of("granularity", "tz");

    private final AppAccess access;
    private final AppDirectory apps;
    private final Clock clock;
    private final EventWriteQueue queue;

    ReadRequests(AppAccess access, AppDirectory apps, Clock clock, EventWriteQueue queue) {
        this.access = access;
        this.apps = apps;
        this.clock = clock;
        this.queue = queue;
    }

    /**
     * A query without series parameters.
     *
     * @param own the endpoint's own parameters besides {@link #COMMON}
     */
    public EventQuery query(Map<String, String> params, Set<String> own) {
        return read(params, own, false);
    }

    /** A query with {@code granularity} and {@code tz}. */
    public EventQuery series(Map<String, String> params, Set<String> own) {
        return read(params, own, true);
    }

    private EventQuery read(Map<String, String> params, Set<String> own, boolean series) {
        Set<String> unknown = new TreeSet<>(params.keySet());
        unknown.removeAll(COMMON);
        unknown.removeAll(own);
        if (series) {
            unknown.removeAll(SERIES);
        }
        if (!unknown.isEmpty()) {
            Set<String> known = new TreeSet<>(COMMON);
            known.addAll(own);
            if (series) {
                known.addAll(SERIES);
            }
            String first = unknown.iterator().next();
            throw invalid(first, "unknown parameter '" + first + "'; this endpoint takes " + String.join(", ", known));
        }
        String appId = params.get("appId");
        if (appId == null || appId.isBlank()) {
            throw invalid("appId", "appId is required");
        }
        access.require(appId, AppPermission.READ);
        if (apps.find(appId).isEmpty()) {
            throw ApiException.noSuchApp(appId);
        }
        Instant to = params.containsKey("to") ? time(params, "to") : clock.instant();
        Instant from = params.containsKey("from") ? time(params, "from") : to.minus(Duration.ofHours(24));
        if (!from.isBefore(to)) {
            throw invalid("from", "from must be before to (from " + from + ", to " + to + ")");
        }
        Filters filters = new Filters(value(params, "release"), value(params, "environment"), value(params, "path"),
                value(params, "browser"), value(params, "os"), value(params, "deviceType"), value(params, "country"));
        Granularity granularity = null;
        ZoneId zone = ZoneOffset.UTC;
        if (series) {
            String g = params.get("granularity");
            if (g == null) {
                granularity = Duration.between(from, to).compareTo(Duration.ofHours(48)) <= 0 ? Granularity.HOUR : Granularity.DAY;
            } else {
                granularity = Granularity.fromWireName(g);
                if (granularity == null) {
                    throw invalid("granularity", "granularity must be one of minute, hour, day, week, month");
                }
            }
            zone = zone(params.get("tz"));
            long buckets = TimeBuckets.estimate(from, to, granularity);
            if (buckets > TimeBuckets.MAX_BUCKETS) {
                throw invalid("granularity", "the range holds about " + buckets + " " + granularity.wireName()
                        + " buckets; at most " + TimeBuckets.MAX_BUCKETS + " are answered: use a coarser granularity or a shorter range");
            }
        }
        if ("true".equals(params.get("fresh"))) {
            awaitFresh();
        } else if (params.containsKey("fresh") && !"false".equals(params.get("fresh"))) {
            throw invalid("fresh", "fresh must be true or false");
        }
        return new EventQuery(appId, from, to, filters, granularity, zone);
    }

    private void awaitFresh() {
        try {
            if (!queue.awaitStored(Duration.ofSeconds(FRESH_WAIT_SECONDS))) {
                throw ApiException.unavailable("STORAGE_TIMEOUT",
                        "recent events are not loaded yet after " + FRESH_WAIT_SECONDS + " s; retry, or ask without fresh=true", 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("STORAGE_TIMEOUT", "interrupted while waiting for recent events", 1);
        }
    }

    private static ZoneId zone(String tz) {
        if (tz == null) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(tz);
        } catch (DateTimeException e) {
            throw invalid("tz", "tz must be an IANA time zone such as Europe/Paris, got '" + shorten(tz) + "'");
        }
    }

    private static Instant time(Map<String, String> params, String name) {
        return RequestTimes.parse(params.get(name)).orElseThrow(() -> invalid(name,
                name + " must be an ISO-8601 time or epoch milliseconds"));
    }

    /** An optional text parameter, bounded in length. */
    public static String value(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null) {
            return null;
        }
        if (v.length() > MAX_VALUE_LENGTH) {
            throw invalid(name, name + " is longer than " + MAX_VALUE_LENGTH + " characters");
        }
        return v;
    }

    /**
     * An optional integer parameter within {@code [min, max]}, else {@code otherwise}.
     */
    public static int integer(Map<String, String> params, String name, int min, int max, int otherwise) {
        String v = params.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid(name, name + " must be an integer from " + min + " to " + max);
    }

    /** A 400 {@code INVALID_PARAMETER} for one parameter. */
    public static ApiException invalid(String parameter, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "INVALID_PARAMETER", message,
                List.of(Map.of("parameter", parameter)), null);
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
