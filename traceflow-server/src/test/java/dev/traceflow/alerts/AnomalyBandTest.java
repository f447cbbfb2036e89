package dev.traceflow.alerts;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The band on generated traffic: hourly page views with a daily and a weekly rhythm (quiet nights,
 * busy weekday mornings, a slower weekend) and noise, five weeks of history, and a sixth week with
 * known spikes and dips. Each hour of the sixth week is judged as a rule does: against the same hour
 * of the week in the four weeks before.
 */
class AnomalyBandTest {

    private static final int HOURS_PER_WEEK = 7 * 24;

    /** Expected traffic of an hour of the week: the seasonality the band must not mistake for anomalies. */
    private static double seasonal(int hourOfWeek) {
        int day = hourOfWeek / 24;
        int hour = hourOfWeek % 24;
        double daily = 200 + 800 * Math.max(0, Math.sin(Math.PI * (hour - 6) / 16.0)); // night trough, daytime peak
        double weekly = day >= 5 ? 0.5 : 1.0; // weekend half as busy
        return daily * weekly;
    }

    private static double[] weeks(int count, long seed) {
        Random random = new Random(seed);
        double[] series = new double[count * HOURS_PER_WEEK];
        for (int i = 0; i < series.length; i++) {
            series[i] = Math.round(seasonal(i % HOURS_PER_WEEK) * (1 + 0.05 * random.nextGaussian()));
        }
        return series;
    }

    private static Set<Integer> flagged(double[] series, int week, double factor, Comparison direction) {
        Set<Integer> out = new TreeSet<>();
        for (int h = 0; h < HOURS_PER_WEEK; h++) {
            List<Double> baseline = new ArrayList<>();
            for (int back = 1; back <= 4; back++) {
                baseline.add(series[(week - back) * HOURS_PER_WEEK + h]);
            }
            AnomalyBand band = AnomalyBand.of(baseline, factor, true);
            if (band.outside(series[week * HOURS_PER_WEEK + h], direction)) {
                out.add(h);
            }
        }
        return out;
    }

    @Test
    void seasonalTrafficWithoutIncidents_isNeverAnAnomaly() {
        for (long seed = 1; seed <= 5; seed++) {
            double[] series = weeks(6, seed);
            assertThat(flagged(series, 5, 4, null)).as("seed %d", seed).isEmpty();
        }
    }

    @Test
    void injectedSpikesAndDips_areFoundExactly_eachOnItsOwnSide() {
        double[] series = weeks(6, 42);
        int base = 5 * HOURS_PER_WEEK;
        int spikeMondayMorning = 9;            // a busy hour tripled
        int spikeSundayNight = 6 * 24 + 3;     // a quiet hour with a burst (e.g. a bot)
        int dipWednesdayNoon = 2 * 24 + 12;    // an outage: a tenth of the traffic
        int dipSaturdayAfternoon = 5 * 24 + 15;
        series[base + spikeMondayMorning] *= 3;
        series[base + spikeSundayNight] *= 4;
        series[base + dipWednesdayNoon] *= 0.1;
        series[base + dipSaturdayAfternoon] *= 0.3;

        assertThat(flagged(series, 5, 4, null))
                .containsExactlyInAnyOrder(spikeMondayMorning, spikeSundayNight, dipWednesdayNoon, dipSaturdayAfternoon);
        assertThat(flagged(series, 5, 4, Comparison.GT)).containsExactlyInAnyOrder(spikeMondayMorning, spikeSundayNight);
        assertThat(flagged(series, 5, 4, Comparison.LT)).containsExactlyInAnyOrder(dipWednesdayNoon, dipSaturdayAfternoon);
    }

    @Test
    void aPastIncidentInTheBaseline_doesNotWidenTheBand() {
        // median and MAD: one wild past week is ignored, where a mean and standard deviation would swallow a new spike
        AnomalyBand band = AnomalyBand.of(List.of(100.0, 104.0, 5000.0, 98.0), 3, true);
        assertThat(band.median()).isEqualTo(102.0);
        assertThat(band.outside(300, null)).isTrue();
        assertThat(band.outside(110, null)).isFalse();
    }

    @Test
    void aFlatBaseline_hasAFloor_soOneMoreEventIsNoAnomaly() {
        AnomalyBand zeros = AnomalyBand.of(List.of(0.0, 0.0, 0.0, 0.0), 3, true);
        assertThat(zeros.outside(2, null)).isFalse();
        assertThat(zeros.outside(4, null)).isTrue();
        AnomalyBand flat = AnomalyBand.of(List.of(1000.0, 1000.0, 1000.0), 3, true);
        assertThat(flat.deviation()).isEqualTo(100.0); // 10 % of the median
        assertThat(flat.outside(1250, null)).isFalse();
        assertThat(flat.outside(1350, null)).isTrue();
    }

    @Test
    void tooLittleHistory_givesNoBand() {
        assertThat(AnomalyBand.of(List.of(5.0), 3, true)).isNull();
        assertThat(AnomalyBand.of(new ArrayList<>(java.util.Arrays.asList(5.0, null)), 3, true)).isNull();
    }
}
