package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    private static final long MICROS = 1_000;

    @Test
    void percentilesOfUniformLatenciesAreWithinOnePercent() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long us = 1; us <= 10_000; us++) {
            histogram.record(us * MICROS);
        }

        assertThat(histogram.count()).isEqualTo(10_000);
        assertThat(histogram.valueAtPercentile(50)).isCloseTo(5_000 * MICROS, withPercentage(1));
        assertThat(histogram.valueAtPercentile(90)).isCloseTo(9_000 * MICROS, withPercentage(1));
        assertThat(histogram.valueAtPercentile(99)).isCloseTo(9_900 * MICROS, withPercentage(1));
        assertThat(histogram.valueAtPercentile(99.9)).isCloseTo(9_990 * MICROS, withPercentage(1));
        assertThat(histogram.millisAtPercentile(50)).isCloseTo(5.0, within(0.05));
    }

    @Test
    void maxIsExactAndHundredthPercentileIsTheMax() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(1_234_567);
        histogram.record(987_654_321);

        assertThat(histogram.maxNanos()).isEqualTo(987_654_321);
        assertThat(histogram.valueAtPercentile(100)).isEqualTo(987_654_321);
        assertThat(histogram.maxMillis()).isCloseTo(987.654321, within(1e-9));
    }

    @Test
    void smallValuesAreCountedExactly() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int value = 0; value < 200; value++) {
            histogram.record(value);
        }

        assertThat(histogram.valueAtPercentile(50)).isEqualTo(99);
        assertThat(histogram.valueAtPercentile(0)).isEqualTo(0);
    }

    @Test
    void tailIsFoundAmongMostlyFastRequests() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < 990; i++) {
            histogram.record(2 * 1_000_000L);
        }
        for (int i = 0; i < 10; i++) {
            histogram.record(80 * 1_000_000L);
        }

        assertThat(histogram.millisAtPercentile(50)).isCloseTo(2.0, withPercentage(1));
        assertThat(histogram.millisAtPercentile(99)).isCloseTo(2.0, withPercentage(1));
        assertThat(histogram.millisAtPercentile(99.1)).isCloseTo(80.0, withPercentage(1));
    }

    @Test
    void mergingEqualsRecordingEverythingInOne() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        LatencyHistogram all = new LatencyHistogram();
        for (long v = 1; v <= 5_000; v++) {
            long nanos = v * 7_919;
            (v % 2 == 0 ? a : b).record(nanos);
            all.record(nanos);
        }

        a.add(b);

        assertThat(a.count()).isEqualTo(all.count());
        assertThat(a.maxNanos()).isEqualTo(all.maxNanos());
        for (double p : new double[] {1, 50, 90, 99, 99.9, 100}) {
            assertThat(a.valueAtPercentile(p)).isEqualTo(all.valueAtPercentile(p));
        }
    }

    @Test
    void emptyHistogramReportsZero() {
        LatencyHistogram histogram = new LatencyHistogram();

        assertThat(histogram.valueAtPercentile(99)).isZero();
        assertThat(histogram.maxNanos()).isZero();
    }

    @Test
    void bucketsCoverTheWholeLongRangeWithoutGaps() {
        for (long value : new long[] {255, 256, 257, 511, 512, 1L << 40, Long.MAX_VALUE}) {
            int index = LatencyHistogram.indexOf(value);
            assertThat(LatencyHistogram.highestValueIn(index)).isGreaterThanOrEqualTo(value);
            if (index > 0) {
                assertThat(LatencyHistogram.highestValueIn(index - 1)).isLessThan(value);
            }
        }
    }
}
