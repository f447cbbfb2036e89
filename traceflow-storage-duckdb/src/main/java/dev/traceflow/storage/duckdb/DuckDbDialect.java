package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.query.TimeBuckets.OffsetSpan;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;

/** DuckDB's spelling of {@link SqlDialect}. */
final class DuckDbDialect implements SqlDialect {

    static final DuckDbDialect INSTANCE = new DuckDbDialect();

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
     */
    @Override
    public String bucketKey(String tsColumn, TimeBuckets buckets, Instant from, Instant to) {
        Granularity g = buckets.granularity();
        int unit = g == Granularity.MINUTE ? 60 : 3600;
        if ((g == Granularity.MINUTE || g == Granularity.HOUR)
                && TimeBuckets.offsets(buckets.zone(), from, to).stream().allMatch(s -> s.offsetSeconds() % unit == 0)) {
            // shifting by whole units and back truncates the same: measured 20 ms less per 686k sessions
            return "date_trunc('" + g.wireName() + "', " + tsColumn + ")";
        }
        String shift = shift(tsColumn, buckets, from, to);
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
            case DAY, WEEK, MONTH -> "((" + tsColumn + " + " + shift(tsColumn, buckets, from, to) + ") >= " + key + ")";
        };
    }

    /** The zone's offset at {@code tsColumn} as an INTERVAL. */
    private static String shift(String tsColumn, TimeBuckets buckets, Instant from, Instant to) {
        List<OffsetSpan> spans = TimeBuckets.offsets(buckets.zone(), from, to);
        String offset;
        if (spans.size() == 1) {
            offset = Integer.toString(spans.getFirst().offsetSeconds());
        } else {
            StringBuilder c = new StringBuilder("CASE");
            for (int i = 0; i < spans.size() - 1; i++) {
                c.append(" WHEN ").append(tsColumn).append(" < ").append(timestamp(spans.get(i).end()))
                        .append(" THEN ").append(spans.get(i).offsetSeconds());
            }
            c.append(" ELSE ").append(spans.getLast().offsetSeconds()).append(" END");
            offset = c.toString();
        }
        return "to_seconds(" + offset + ")";
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
