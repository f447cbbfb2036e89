package dev.traceflow.core.query;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeBucketsTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @Test
    void days_listEveryBucketOfTheRange_fromTheOneHoldingFrom() {
        TimeBuckets b = new TimeBuckets(Instant.parse("2026-11-24T10:00:00Z"), Instant.parse("2026-11-27T00:00:00Z"),
                Granularity.DAY, ZoneOffset.UTC);

        assertThat(b.starts()).containsExactly(Instant.parse("2026-11-24T00:00:00Z"),
                Instant.parse("2026-11-25T00:00:00Z"), Instant.parse("2026-11-26T00:00:00Z"));
    }

    @Test
    void weeks_startOnMondayInTheAskedZone() {
        // 2026-11-29 is a Sunday; in Paris, Monday 30th starts at 23:00 UTC on the 29th
        TimeBuckets b = new TimeBuckets(Instant.parse("2026-11-29T22:30:00Z"), Instant.parse("2026-11-29T23:30:00Z"),
                Granularity.WEEK, PARIS);

        assertThat(b.starts()).containsExactly(Instant.parse("2026-11-22T23:00:00Z"), Instant.parse("2026-11-29T23:00:00Z"));
    }

    @Test
    void dstChangeDay_is25HoursLong_andItsRepeatedHourStaysTwoBuckets() {
        Instant from = Instant.parse("2026-10-24T22:00:00Z"); // Sunday 25 Oct 00:00 in Paris (+02:00)
        TimeBuckets days = new TimeBuckets(from, from.plusSeconds(25 * 3600), Granularity.DAY, PARIS);
        TimeBuckets hours = new TimeBuckets(Instant.parse("2026-10-25T00:00:00Z"), Instant.parse("2026-10-25T02:00:00Z"),
                Granularity.HOUR, PARIS);

        assertThat(days.starts()).containsExactly(from);
        assertThat(hours.starts()).containsExactly(Instant.parse("2026-10-25T00:00:00Z"), Instant.parse("2026-10-25T01:00:00Z"));
    }

    @Test
    void months_startOnTheFirstAtLocalMidnight() {
        TimeBuckets b = new TimeBuckets(Instant.parse("2026-01-15T00:00:00Z"), Instant.parse("2026-03-01T00:00:00Z"),
                Granularity.MONTH, ZoneId.of("America/New_York"));

        // March starts at 05:00 UTC, after the range's end: not a bucket of it
        assertThat(b.starts()).containsExactly(Instant.parse("2026-01-01T05:00:00Z"), Instant.parse("2026-02-01T05:00:00Z"));
    }

    @Test
    void halfHourOffsets_startHoursAtLocalFullHours() {
        TimeBuckets b = new TimeBuckets(Instant.parse("2026-11-24T10:00:00Z"), Instant.parse("2026-11-24T11:00:00Z"),
                Granularity.HOUR, ZoneId.of("Asia/Kolkata"));

        assertThat(b.starts()).containsExactly(Instant.parse("2026-11-24T09:30:00Z"), Instant.parse("2026-11-24T10:30:00Z"));
    }

    @Test
    void absurdBucketCounts_areRefused() {
        assertThatThrownBy(() -> new TimeBuckets(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"),
                Granularity.MINUTE, ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coarser granularity");
    }

    @Test
    void percentiles_interpolateLinearlyBetweenRanks() {
        assertThat(Percentiles.cont(new double[] {1, 2, 3, 4}, 0.75)).isEqualTo(3.25);
        assertThat(Percentiles.cont(new double[] {7}, 0.95)).isEqualTo(7);
    }

    @Test
    void webVitalRatings_followGooglesThresholds() {
        assertThat(WebVitals.rate("LCP", 2500)).isEqualTo(WebVitals.Rating.GOOD);
        assertThat(WebVitals.rate("LCP", 4000)).isEqualTo(WebVitals.Rating.NEEDS_IMPROVEMENT);
        assertThat(WebVitals.rate("LCP", 4000.1)).isEqualTo(WebVitals.Rating.POOR);
        assertThat(WebVitals.rate("CLS", 0.1)).isEqualTo(WebVitals.Rating.GOOD);
        assertThat(WebVitals.ofPerformanceMetric("ttfb")).isEqualTo("TTFB");
        assertThat(WebVitals.ofPerformanceMetric("load")).isNull();
    }
}
