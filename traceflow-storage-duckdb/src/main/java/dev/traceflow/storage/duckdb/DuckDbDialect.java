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

    /** arg_max skips rows whose value is NULL; arg_max_null keeps them. The row of expressions compares as a struct. */
    @Override
    public String lastBy(String expr, String orderBy) {
        return "arg_max_null(" + expr + ", (" + orderBy + "))";
    }

    /**
     * Local time = UTC time + the offset in force, written as a CASE over the zone's offset changes
     * in the range (so no time-zone extension is needed, and the same SQL works for any zone the
     * JDK knows); the offsets come from {@link TimeBuckets#offsets}, so Java and SQL agree.
     * Minute, hour and day keys are integer arithmetic on the microseconds since the epoch: the
     * same keys as {@code date_trunc}, which cost about three times as much per row (an hourly
     * count of 2.4M events: 97 against 43 ms of CPU; README "Bucket keys as integer arithmetic").
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
