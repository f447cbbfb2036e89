package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.TimeBuckets;

import java.time.Instant;
import java.util.List;

/**
 * What differs between SQL engines in the answer queries, in one place: the queries are written
 * once against this seam (percentiles, zoned time buckets, JSON access, hashing), so a PostgreSQL
 * or ClickHouse backend supplies its own dialect instead of copying the SQL. Every method returns
 * an SQL expression; arguments are expressions or column names the queries write themselves, never
 * user input (values from requests are bound as parameters).
 */
interface SqlDialect {

    /**
     * The continuous percentiles ({@code 0 <= fraction <= 1}) of {@code expr}, with linear
     * interpolation, as one aggregate whose value is an array in the order of the fractions,
     * indexed from 1 ({@code q[1]}, in DuckDB and PostgreSQL alike). One aggregate collects and
     * orders the values once, where one per fraction would each do it again.
     */
    String percentiles(String expr, double... fractions);

    /**
     * The value of {@code expr} on the row of the group with the latest {@code time} (a timestamp),
     * ties to the greatest {@code rowNumber} (a non-negative integer that tells every row of a group
     * apart). NULL values of {@code expr} are kept, not skipped.
     */
    String latest(String expr, String time, String rowNumber);

    /**
     * The bucket key of the event time {@code tsColumn} (a UTC TIMESTAMP), as
     * {@link TimeBuckets#startOfKey} reads it: for minute and hour the bucket start in UTC; for day,
     * week and month the local date-time of the bucket start. {@code [from, to)} bounds the event
     * times the expression will see (the zone's offset changes inside it are written out).
     */
    String bucketKey(String tsColumn, TimeBuckets buckets, Instant from, Instant to);

    /**
     * True when the moment {@code tsColumn} is at or after the start of the bucket whose
     * {@link #bucketKey} is {@code key}: for a moment in {@code [from, to)} no later than one of that
     * bucket, whether it is in the bucket too, without computing its own key (which costs more).
     */
    String inBucketOf(String tsColumn, String key, TimeBuckets buckets, Instant from, Instant to);

    /** A number at a top-level key of a JSON text column, NULL when absent or not a number. */
    String jsonNumber(String column, String key);

    /** A string at a top-level key of a JSON text column, NULL when absent or not a string. */
    String jsonText(String column, String key);

    /**
     * The JSON value at a top-level key of a JSON text column, as JSON that {@link #jsonNumber},
     * {@link #jsonText} and this method read further (pass the expression as their column); NULL
     * when absent. Extracting a nested object once lets a query read several of its keys without
     * walking the whole column for each.
     */
    String jsonValue(String column, String key);

    /**
     * The JSON values at several top-level keys of a JSON text column, from one reading of the text
     * (where {@link #jsonNumber}, {@link #jsonText} or {@link #jsonValue} per key read all of it again
     * for each key): one expression whose parts {@link #jsonValueAt} picks, each as {@link #jsonValue}
     * gives it (NULL when absent). Select it once in a subquery, so that the text is read once per row.
     */
    String jsonValues(String column, List<String> keys);

    /** The value of the {@code index}-th key (from 0) of a {@link #jsonValues} expression. */
    String jsonValueAt(String values, int index);

    /**
     * A JSON value itself (as {@link #jsonValue} gives it) as a number: what {@link #jsonNumber}
     * answers for the key that holds it, NULL when it is NULL or not a number.
     */
    String jsonNumberOf(String value);

    /**
     * A stand-in for a JSON value's string (what {@link #jsonText} answers for the key that holds
     * it) that is cheaper to compute per row and to group by: equal for two values exactly when they
     * are equal strings, NULL when the value is NULL or not a string. {@link #jsonTextOfKey} gives the
     * string back, so a query groups by the key and turns only the groups' keys into strings.
     */
    String jsonTextKey(String value);

    /** {@link #jsonTextKey} of a constant string of ours (plain characters: letters, digits, spaces, {@code ( ) _ - $}). */
    String jsonTextKeyOf(String constant);

    /** The string of a non-NULL {@link #jsonTextKey}. */
    String jsonTextOfKey(String key);

    /**
     * A set-returning expression for a SELECT list: one row per element of the JSON array at a
     * top-level key of a JSON text column, each element as JSON the other json* methods read; no
     * row when the key is absent. Only for columns whose writer stores an array there.
     */
    String jsonArrayElements(String column, String key);

    /** Epoch milliseconds of a TIMESTAMP expression (BIGINT). */
    String epochMillis(String tsExpr);

    /** The first 16 lower-case hex digits of the MD5 of a text expression. */
    String md5Prefix16(String textExpr);
}
