package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * An SQL text with its bound parameters, built in order, so that a query's {@code ?} and its values
 * cannot drift apart. Values from requests only ever go in as parameters.
 */
final class Sql {

    private final StringBuilder text = new StringBuilder();
    private final List<Object> parameters = new ArrayList<>();

    Sql append(String sql) {
        text.append(sql);
        return this;
    }

    /** Appends SQL with {@code ?} placeholders and their values, in order. */
    Sql append(String sql, Object... values) {
        long marks = sql.chars().filter(c -> c == '?').count();
        if (marks != values.length) {
            throw new IllegalArgumentException(marks + " placeholders but " + values.length + " values in: " + sql);
        }
        text.append(sql);
        for (Object v : values) {
            parameters.add(v instanceof Instant i ? utc(i) : v);
        }
        return this;
    }

    /**
     * {@code app_id = ? AND ts >= ? AND ts < ?} for the query's app and range, with an optional
     * table alias ({@code e.}).
     */
    Sql appAndRange(String alias, EventQuery q) {
        return appAndRange(alias, q.appId(), q.from(), q.to());
    }

    Sql appAndRange(String alias, String appId, Instant from, Instant to) {
        return append(alias + "app_id = ? AND " + alias + "ts >= ? AND " + alias + "ts < ?", appId, from, to);
    }

    /** {@code AND column = ?} for every asked filter of the query, on an event's own columns. */
    Sql eventFilters(String alias, EventQuery q) {
        for (Map.Entry<String, String> f : q.filters().byColumn().entrySet()) {
            append(" AND " + alias + f.getKey() + " = ?", f.getValue());
        }
        return this;
    }

    String text() {
        return text.toString();
    }

    List<Object> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    @Override
    public String toString() {
        return text + " " + parameters;
    }
}
