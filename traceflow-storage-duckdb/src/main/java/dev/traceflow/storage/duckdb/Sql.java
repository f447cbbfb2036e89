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
    private final List<Placed> deferred = new ArrayList<>();
    private DuckDbSessionCache.Need need;

    /**
     * A part of the statement written only when it runs, once {@link DuckDbSessionCache} has said
     * what it holds for the statement's {@link #need}: the sessions from the cache or from the events.
     */
    @FunctionalInterface
    interface Deferred {
        void write(Sql into, DuckDbSessionCache.Coverage coverage);
    }

    private record Placed(int textAt, int parametersAt, Deferred part) {
    }

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

    /**
     * Appends a part decided when the statement runs, and asks the session cache for {@code need}
     * (merged with what earlier parts asked).
     */
    Sql defer(DuckDbSessionCache.Need need, Deferred part) {
        this.need = this.need == null ? need : this.need.and(need);
        deferred.add(new Placed(text.length(), parameters.size(), part));
        return this;
    }

    /** What the deferred parts need from the session cache; null when there are none. */
    DuckDbSessionCache.Need need() {
        return need;
    }

    /** The statement with its deferred parts written for {@code coverage}. */
    Sql resolve(DuckDbSessionCache.Coverage coverage) {
        if (deferred.isEmpty()) {
            return this;
        }
        Sql out = new Sql();
        int textAt = 0;
        int parametersAt = 0;
        for (Placed p : deferred) {
            out.text.append(text, textAt, p.textAt());
            out.parameters.addAll(parameters.subList(parametersAt, p.parametersAt()));
            p.part().write(out, coverage);
            textAt = p.textAt();
            parametersAt = p.parametersAt();
        }
        out.text.append(text, textAt, text.length());
        out.parameters.addAll(parameters.subList(parametersAt, parameters.size()));
        return out;
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
