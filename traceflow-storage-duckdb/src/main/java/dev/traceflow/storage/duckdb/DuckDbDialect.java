package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.query.TimeBuckets.OffsetSpan;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;

/** DuckDB's spelling of {@link SqlDialect}. */
final class DuckDbDialect implements SqlDialect {

    static final DuckDbDialect INSTANCE = new DuckDbDialect();

    /** Ranges from here on have positive local times in every zone (offsets are at most 18 hours). */
    static final Instant INTEGER_KEYS_FROM = Instant.EPOCH.plus(Duration.ofDays(1));

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_$-]{1,64}");
    private static final Pattern PLAIN_TEXT = Pattern.compile("[A-Za-z0-9 ()_$-]{0,64}");

    private DuckDbDialect() {
    }

    @Override
    public String percentiles(String expr, double... fractions) {
        StringBuilder list = new StringBuilder();
        for (double f : fractions) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("a percentile's fraction must be in [0, 1]: " + f);
            }
            list.append(list.isEmpty() ? "" : ", ").append(f);
        }
        return "quantile_cont(" + expr + ", [" + list + "])";
    }

    /**
     * arg_max skips rows whose value is NULL; arg_max_null keeps them. The key is one HUGEINT, the time
     * in microseconds times 2^63 plus the row number, which orders exactly as (time, row) does for any
     * row number in [0, 2^63) and compares faster than a struct of the two (README, "Web vitals: the
     * last report of each id").
     */
    @Override
    public String latest(String expr, String time, String rowNumber) {
        return "arg_max_null(" + expr + ", epoch_us(" + time + ")::HUGEINT * 9223372036854775808 + " + rowNumber + ")";
    }

    /**
     * Local time = UTC time + the offset in force, written as a CASE over the zone's offset changes
     * in the range (so no time-zone extension is needed, and the same SQL works for any zone the
     * JDK knows); the offsets come from {@link TimeBuckets#offsets}, so Java and SQL agree.
     * Minute, hour and day keys are integer arithmetic on the microseconds since the epoch: the
     * same keys as {@code date_trunc}, which costs several times as much per row (README "Bucket
     * keys as integer arithmetic" has the measurements).
     * Integer division truncates toward zero, so that form is used only for ranges from
     * {@link #INTEGER_KEYS_FROM} on, where every local time is positive; weeks and months (Monday
     * alignment, months of unequal length) stay on {@code date_trunc}.
     */
    @Override
    public String bucketKey(String tsColumn, TimeBuckets buckets, Instant from, Instant to) {
        Granularity g = buckets.granularity();
        boolean integer = g == Granularity.MINUTE || g == Granularity.HOUR || g == Granularity.DAY;
        return integer && !from.isBefore(INTEGER_KEYS_FROM)
                ? integerKey(tsColumn, buckets, from, to)
                : dateTruncKey(tsColumn, buckets, from, to);
    }

    /** {@link #bucketKey} for minutes, hours and days of ranges from {@link #INTEGER_KEYS_FROM} on. */
    String integerKey(String tsColumn, TimeBuckets buckets, Instant from, Instant to) {
        Granularity g = buckets.granularity();
        long unitMicros = switch (g) {
            case MINUTE -> 60_000_000L;
            case HOUR -> 3_600_000_000L;
            case DAY -> 86_400_000_000L;
            case WEEK, MONTH -> throw new IllegalArgumentException("no integer key for " + g);
        };
        String offset = offsets(tsColumn, TimeBuckets.offsets(buckets.zone(), from, to), 1_000_000L);
        boolean utc = offset.equals("0");
        String start = "(epoch_us(" + tsColumn + ")" + (utc ? "" : " + " + offset) + ") // " + unitMicros + " * " + unitMicros;
        // minute and hour keys are UTC instants, day keys the local date-time of midnight
        return "make_timestamp(" + start + (g != Granularity.DAY && !utc ? " - " + offset : "") + ")";
    }

    /** {@link #bucketKey} by {@code date_trunc} on the local time: any granularity, any range. */
    String dateTruncKey(String tsColumn, TimeBuckets buckets, Instant from, Instant to) {
        Granularity g = buckets.granularity();
        String shift = "to_seconds(" + offsets(tsColumn, TimeBuckets.offsets(buckets.zone(), from, to), 1) + ")";
        String local = "(" + tsColumn + " + " + shift + ")";
        return switch (g) {
            case MINUTE, HOUR -> "(date_trunc('" + g.wireName() + "', " + local + ") - " + shift + ")";
            case DAY, WEEK, MONTH -> "date_trunc('" + g.wireName() + "', " + local + ")::TIMESTAMP";
        };
    }

    /** A minute or hour key is the bucket's start in UTC, a longer one its local start: compared as such. */
    @Override
    public String inBucketOf(String tsColumn, String key, TimeBuckets buckets, Instant from, Instant to) {
        return switch (buckets.granularity()) {
            case MINUTE, HOUR -> "(" + tsColumn + " >= " + key + ")";
            case DAY, WEEK, MONTH -> "((" + tsColumn + " + to_seconds(" + offsets(tsColumn, TimeBuckets.offsets(buckets.zone(), from, to), 1)
                    + ")) >= " + key + ")";
        };
    }

    /** The offset in force at {@code tsColumn}, in seconds times {@code scale}: a constant or a CASE over the spans. */
    private static String offsets(String tsColumn, List<OffsetSpan> spans, long scale) {
        if (spans.size() == 1) {
            return Long.toString(spans.getFirst().offsetSeconds() * scale);
        }
        StringBuilder c = new StringBuilder("(CASE");
        for (int i = 0; i < spans.size() - 1; i++) {
            c.append(" WHEN ").append(tsColumn).append(" < ").append(timestamp(spans.get(i).end()))
                    .append(" THEN ").append(spans.get(i).offsetSeconds() * scale);
        }
        return c.append(" ELSE ").append(spans.getLast().offsetSeconds() * scale).append(" END)").toString();
    }

    private static String timestamp(Instant t) {
        // computed by us from the zone rules, never from a request: safe to write inline
        return "TIMESTAMP '" + LocalDateTime.ofInstant(t, ZoneOffset.UTC).toString().replace('T', ' ') + "'";
    }

    @Override
    public String jsonNumber(String column, String key) {
        String path = path(key);
        return "(CASE WHEN json_type(" + column + ", " + path + ") IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(json_extract("
                + column + ", " + path + ") AS DOUBLE) END)";
    }

    @Override
    public String jsonText(String column, String key) {
        String path = path(key);
        return "(CASE WHEN json_type(" + column + ", " + path + ") = 'VARCHAR' THEN json_extract_string("
                + column + ", " + path + ") END)";
    }

    @Override
    public String jsonValue(String column, String key) {
        return "json_extract(" + column + ", " + path(key) + ")";
    }

    /** A list of paths makes json_extract parse the text once and answer a list of JSON values, one per path. */
    @Override
    public String jsonValues(String column, List<String> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no keys to read");
        }
        return "json_extract(" + column + ", [" + String.join(", ", keys.stream().map(DuckDbDialect::path).toList()) + "])";
    }

    @Override
    public String jsonValueAt(String values, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("an index counts from 0: " + index);
        }
        return "(" + values + ")[" + (index + 1) + "]";
    }

    /**
     * Read from the value's JSON text without parsing it again (a parse per value cost as much as the
     * parse of the whole document): json_extract writes a number as a JSON number and anything else
     * as a string in quotes, {@code true}, {@code false}, {@code null}, an array or an object, and of
     * those only a JSON number is a number to DuckDB's cast from text; both casts round the written
     * digits to the nearest double, as {@link #jsonNumber}'s cast of the JSON value does.
     */
    @Override
    public String jsonNumberOf(String value) {
        return "TRY_CAST((" + value + ")::VARCHAR AS DOUBLE)";
    }

    /**
     * The value's JSON text when it is a string: json_extract writes each string one way (the parse
     * undoes the escapes, the writer escapes only what JSON must and writes UTF-8 as it is), so two
     * texts are equal exactly when the strings are.
     */
    @Override
    public String jsonTextKey(String value) {
        String text = "(" + value + ")::VARCHAR";
        return "(CASE WHEN starts_with(" + text + ", '\"') THEN " + text + " END)";
    }

    /** The JSON text json_extract writes for the string: a plain one needs no escapes. */
    @Override
    public String jsonTextKeyOf(String constant) {
        if (!PLAIN_TEXT.matcher(constant).matches()) {
            throw new IllegalArgumentException("a constant text key must be 0-64 of A-Z a-z 0-9 space ( ) _ - $: " + constant);
        }
        return "'\"" + constant + "\"'";
    }

    /** A JSON string without a backslash holds its characters as they are, between its quotes: only one with escapes is parsed. */
    @Override
    public String jsonTextOfKey(String key) {
        return "(CASE WHEN contains(" + key + ", '\\') THEN json_extract_string(" + key + ", '$') ELSE (" + key + ")[2:-2] END)";
    }

    /** A {@code [*]} path makes json_extract answer a list (empty when the key is absent), which unnest turns into rows. */
    @Override
    public String jsonArrayElements(String column, String key) {
        String path = path(key);
        return "unnest(json_extract(" + column + ", " + path.substring(0, path.length() - 1) + "[*]'))";
    }

    /** Keys come from our code or from request parameters the HTTP layer validated as plain names. */
    private static String path(String key) {
        if (!PLAIN_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("a JSON key in a query must be 1-64 of A-Z a-z 0-9 _ - $: " + key);
        }
        return "'$.\"" + key + "\"'";
    }

    @Override
    public String epochMillis(String tsExpr) {
        return "epoch_ms(" + tsExpr + ")";
    }

    @Override
    public String md5Prefix16(String textExpr) {
        return "substr(md5(" + textExpr + "), 1, 16)";
    }
}
