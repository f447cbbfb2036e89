package dev.traceflow.core.query;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@code GET /api/analytics/events} computes over the custom events (type {@code event}) of
 * one name, per bucket: their {@link Kind#COUNT count}, their {@link Kind#UNIQUE_USERS distinct
 * users} (userId, else anonymousId, else sessionId of each event; events with none are not
 * counted), or the {@link Kind#SUM sum} or {@link Kind#AVG mean} of a numeric property (events
 * where it is missing or not a JSON number are left out; the mean of none is 0), optionally
 * broken down by a string property (events where it is missing or not a string fall under
 * {@link MetricDimension#NONE}; the top {@code limit} values by number of events).
 *
 * @param property  the summed or averaged property; null for count and unique users
 * @param breakdown the property to break down by, or null
 */
public record EventAggregate(String name, Kind kind, String property, String breakdown, int limit) {

    /** A property name that may appear in a request: plain, so it can be written into a JSON path. */
    public static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z0-9_$-]{1,64}");

    public enum Kind { COUNT, UNIQUE_USERS, SUM, AVG }

    /** @throws IllegalArgumentException when the parts do not fit together (the message says why) */
    public EventAggregate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        boolean needsProperty = kind == Kind.SUM || kind == Kind.AVG;
        if (needsProperty != (property != null)) {
            throw new IllegalArgumentException(needsProperty ? "sum and avg need a property" : "only sum and avg take a property");
        }
        if (property != null && !PROPERTY_NAME.matcher(property).matches()) {
            throw new IllegalArgumentException("a property name is 1 to 64 of A-Z a-z 0-9 _ $ -");
        }
        if (breakdown != null && !PROPERTY_NAME.matcher(breakdown).matches()) {
            throw new IllegalArgumentException("a property name is 1 to 64 of A-Z a-z 0-9 _ $ -");
        }
        if (limit < 1 || limit > DimensionSeries.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be from 1 to " + DimensionSeries.MAX_LIMIT);
        }
    }

    /**
     * Reads {@code count}, {@code unique_users}, {@code sum:<property>} or {@code avg:<property>}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static EventAggregate parse(String name, String aggregate, String breakdown, int limit) {
        String a = aggregate == null ? "count" : aggregate;
        int colon = a.indexOf(':');
        String head = colon < 0 ? a : a.substring(0, colon);
        String property = colon < 0 ? null : a.substring(colon + 1);
        Kind kind = switch (head) {
            case "count" -> Kind.COUNT;
            case "unique_users" -> Kind.UNIQUE_USERS;
            case "sum" -> Kind.SUM;
            case "avg" -> Kind.AVG;
            default -> throw new IllegalArgumentException("aggregate must be count, unique_users, sum:<property> or avg:<property>");
        };
        return new EventAggregate(name, kind, property, breakdown, limit);
    }

    /** A cell's value: the mean for {@link Kind#AVG} (0 without numbers), else the numerator. */
    public double value(double numerator, double denominator) {
        if (kind == Kind.AVG) {
            return denominator == 0 ? 0 : numerator / denominator;
        }
        return numerator;
    }
}
