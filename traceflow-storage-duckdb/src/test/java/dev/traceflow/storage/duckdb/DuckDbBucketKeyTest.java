package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.TimeBuckets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bucket keys DuckDB computes ({@link DuckDbDialect#bucketKey}) are the buckets Java computes
 * ({@link TimeBuckets#startOf}) for every event time of a range: random times, every offset change
 * of the zone and the microseconds around it, and bucket edges, in zones with DST, half- and
 * quarter-hour offsets and negative offsets. Checked for the integer form (minutes, hours, days)
 * and the {@code date_trunc} form it replaced, which must agree with each other and with Java.
 */
class DuckDbBucketKeyTest {

    private static final Instant YEAR_START = Instant.parse("2025-01-01T00:00:00Z");

    static Stream<Arguments> zonesAndGranularities() {
        List<Arguments> all = new ArrayList<>();
        for (String zone : List.of("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu",
                "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Pacific/Kiritimati")) {
            for (Granularity g : List.of(Granularity.MINUTE, Granularity.HOUR, Granularity.DAY)) {
                all.add(Arguments.of(ZoneId.of(zone), g));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("zonesAndGranularities")
    void integerKeys_areJavasBucketStarts_likeDateTrunc(ZoneId zone, Granularity g) throws SQLException {
        // minute buckets are capped at 10,000 per range: a week around a change of offset, else a year
        Instant from = g == Granularity.MINUTE ? firstChangeAfter(zone, YEAR_START).minus(Duration.ofDays(3)) : YEAR_START;
        Instant to = g == Granularity.MINUTE ? from.plus(Duration.ofDays(6)) : from.plus(Duration.ofDays(366));
        TimeBuckets buckets = new TimeBuckets(from, to, g, zone);
        DuckDbDialect dialect = DuckDbDialect.INSTANCE;
        String integer = dialect.integerKey("ts", buckets, from, to);
        String dateTrunc = dialect.dateTruncKey("ts", buckets, from, to);
        assertThat(integer).contains("epoch_us").doesNotContain("date_trunc");
        assertThat(dialect.bucketKey("ts", buckets, from, to)).isEqualTo(integer);

        List<Instant> times = eventTimes(zone, from, to);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (ts TIMESTAMP)");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?)")) {
                for (Instant t : times) {
                    insert.setObject(1, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            int checked = 0;
            try (ResultSet rs = st.executeQuery("SELECT ts, " + integer + ", " + dateTrunc + " FROM t ORDER BY ts")) {
                while (rs.next()) {
                    Instant t = rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC);
                    Instant expected = buckets.startOf(t);
                    assertThat(buckets.startOfKey(rs.getObject(2, LocalDateTime.class))).as("integer key of %s", t).isEqualTo(expected);
                    assertThat(buckets.startOfKey(rs.getObject(3, LocalDateTime.class))).as("date_trunc key of %s", t).isEqualTo(expected);
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(times.size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("weeksMonthsAndEarlyRanges")
    void weeksMonthsAndRangesNearTheEpoch_stayOnDateTrunc(Granularity g, Instant from) {
        Instant to = from.plus(Duration.ofDays(60));
        TimeBuckets buckets = new TimeBuckets(from, to, g, ZoneId.of("Europe/Berlin"));
        assertThat(DuckDbDialect.INSTANCE.bucketKey("ts", buckets, from, to))
                .isEqualTo(DuckDbDialect.INSTANCE.dateTruncKey("ts", buckets, from, to));
    }

    static Stream<Arguments> weeksMonthsAndEarlyRanges() {
        return Stream.of(Arguments.of(Granularity.WEEK, YEAR_START), Arguments.of(Granularity.MONTH, YEAR_START),
                // integer division truncates toward zero: local times before 1970 would key wrongly
                Arguments.of(Granularity.DAY, Instant.EPOCH), Arguments.of(Granularity.HOUR, Instant.parse("1969-12-01T00:00:00Z")));
    }

    /** Random times plus each offset change and bucket edge of the range, and a microsecond either side. */
    private static List<Instant> eventTimes(ZoneId zone, Instant from, Instant to) {
        List<Instant> times = new ArrayList<>();
        Random random = new Random(zone.getId().hashCode());
        long span = Duration.between(from, to).toNanos() / 1000;
        for (int i = 0; i < 3000; i++) {
            times.add(from.plusNanos(Math.floorMod(random.nextLong(), span) * 1000));
        }
        for (TimeBuckets.OffsetSpan s : TimeBuckets.offsets(zone, from, to)) {
            edges(times, s.start(), from, to);
        }
        TimeBuckets buckets = new TimeBuckets(from, to, Granularity.DAY, zone);
        for (Instant start : buckets.starts()) {
            edges(times, start, from, to);
        }
        return times;
    }

    private static void edges(List<Instant> times, Instant t, Instant from, Instant to) {
        for (Instant e : List.of(t.minusNanos(1000), t, t.plusNanos(1000))) {
            if (!e.isBefore(from) && e.isBefore(to)) {
                times.add(e);
            }
        }
    }

    private static Instant firstChangeAfter(ZoneId zone, Instant t) {
        var next = zone.getRules().nextTransition(t);
        return next == null ? t.plus(Duration.ofDays(100)) : next.getInstant();
    }
}
