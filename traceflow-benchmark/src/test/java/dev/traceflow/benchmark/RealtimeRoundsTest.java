package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RealtimeRoundsTest {

    private static RealtimeMeasurement m(int round, String scenario, String variant, double deliveries, double fixedP99) {
        return m(round, scenario, variant, deliveries, fixedP99, 0.9);
    }

    private static RealtimeMeasurement m(int round, String scenario, String variant, double deliveries, double fixedP99, double serverCpu) {
        return new RealtimeMeasurement(round, scenario, variant, deliveries, 1, 2, 100, 0.5, fixedP99, 0, 0, 0, 20_000, 40_000, serverCpu, 0.5);
    }

    @Test
    void median_ofAnOddCountIsTheMiddle_ofAnEvenCountTheMeanOfTheMiddleTwo_andNaNsAreLeftOut() {
        assertThat(RealtimeRounds.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(RealtimeRounds.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(RealtimeRounds.median(List.of(Double.NaN, 5.0, 1.0, Double.NaN, 3.0))).isEqualTo(3.0);
        assertThat(RealtimeRounds.median(List.of(Double.NaN))).isNaN();
        assertThat(RealtimeRounds.median(List.of())).isNaN();
    }

    @Test
    void ratios_areTakenWithinEachRound_andTheirMedianIsReported_notTheRatioOfTheMedians() {
        // round 2 is a noisy minute for both servers: within the round the ratio stays 2
        List<RealtimeMeasurement> all = List.of(
                m(1, "100x1", "traceflow", 200, 10), m(1, "100x1", "node", 100, 20),
                m(2, "100x1", "node", 10, 30), m(2, "100x1", "traceflow", 20, 40),
                m(3, "100x1", "traceflow", 300, 5), m(3, "100x1", "node", 100, 6));
        RealtimeRounds rounds = new RealtimeRounds(all, "node");

        assertThat(rounds.ratios("100x1", "traceflow", RealtimeMeasurement::deliveriesPerSecond)).containsExactly(2.0, 2.0, 3.0);
        RealtimeRounds.Summary traceflow = rounds.summary("100x1", "traceflow").orElseThrow();
        assertThat(traceflow.deliveriesRatio()).isEqualTo(2.0);          // median of 2, 2, 3
        assertThat(traceflow.deliveriesPerSecond()).isEqualTo(200);      // median of 200, 20, 300
        assertThat(traceflow.fixedP99Ms()).isEqualTo(10);
        assertThat(traceflow.rounds()).isEqualTo(3);
        // the ratio of the medians would have said 2.0 as well here, but not in general: 200 / 100 vs 2, 2, 3
        assertThat(rounds.summary("100x1", "node").orElseThrow().deliveriesRatio()).isEqualTo(1.0);
    }

    @Test
    void aRoundWithoutTheBaseline_orWithoutDeliveries_givesNoRatio() {
        List<RealtimeMeasurement> all = new ArrayList<>(List.of(
                m(1, "100x1", "traceflow", 200, 10),                          // node missing in round 1
                m(2, "100x1", "traceflow", 50, 10), m(2, "100x1", "node", 0, 10), // node delivered nothing
                m(3, "100x1", "traceflow", 90, 10), m(3, "100x1", "node", 30, 10)));
        RealtimeRounds rounds = new RealtimeRounds(all, "node");

        assertThat(rounds.ratios("100x1", "traceflow", RealtimeMeasurement::deliveriesPerSecond)).containsExactly(3.0);
        assertThat(rounds.summary("100x1", "traceflow").orElseThrow().deliveriesRatio()).isEqualTo(3.0);
    }

    @Test
    void anIdleScenario_hasMemoryButNoRatesOrRatios() {
        double nan = Double.NaN;
        List<RealtimeMeasurement> all = List.of(
                new RealtimeMeasurement(1, "idle-2000", "traceflow", nan, nan, nan, nan, nan, nan, 0, 0, 0, 12_000, 30_000, nan, nan),
                new RealtimeMeasurement(1, "idle-2000", "node", nan, nan, nan, nan, nan, nan, 0, 0, 0, 10_000, 20_000, nan, nan),
                new RealtimeMeasurement(2, "idle-2000", "traceflow", nan, nan, nan, nan, nan, nan, 0, 0, 0, 14_000, 50_000, nan, nan),
                new RealtimeMeasurement(2, "idle-2000", "node", nan, nan, nan, nan, nan, nan, 0, 0, 0, 10_000, 20_000, nan, nan));
        RealtimeRounds rounds = new RealtimeRounds(all, "node");

        RealtimeRounds.Summary idle = rounds.summary("idle-2000", "traceflow").orElseThrow();
        assertThat(idle.heapBytesPerConnection()).isEqualTo(13_000);
        assertThat(idle.rssBytesPerConnection()).isEqualTo(40_000);
        assertThat(idle.deliveriesPerSecond()).isNaN();
        assertThat(idle.deliveriesRatio()).isNaN();
        assertThat(rounds.mediansTable()).contains("| idle-2000 | traceflow | 2 | – | – | – / – | – (–) | – / – |");
    }

    @Test
    void summaries_addUpLossDuplicatesAndDisconnects_overTheRounds() {
        List<RealtimeMeasurement> all = List.of(
                new RealtimeMeasurement(1, "1000x10", "traceflow", 100, 1, 2, 50, 1, 2, 7, 1, 0, 1, 1, 1, 1),
                new RealtimeMeasurement(2, "1000x10", "traceflow", 100, 1, 2, 50, 1, 2, 3, 0, 2, 1, 1, 1, 1));
        RealtimeRounds.Summary s = new RealtimeRounds(all, "node").summary("1000x10", "traceflow").orElseThrow();
        assertThat(s.lost()).isEqualTo(10);
        assertThat(s.duplicates()).isEqualTo(1);
        assertThat(s.disconnects()).isEqualTo(2);
    }

    @Test
    void summaries_takeTheMedianCpuOfEachSide_andDeliveriesPerServerCpuSecond_soTheTableSaysWhichSideWasTheLimit() {
        List<RealtimeMeasurement> all = List.of(m(1, "100x1", "traceflow", 300, 10, 0.99), m(1, "100x1", "node", 100, 10, 0.7),
                m(2, "100x1", "traceflow", 310, 10, 0.95), m(2, "100x1", "node", 110, 10, 0.8),
                m(3, "100x1", "traceflow", 320, 10, 0.97), m(3, "100x1", "node", 120, 10, 0.9));
        RealtimeRounds rounds = new RealtimeRounds(all, "node");
        RealtimeRounds.Summary traceflow = rounds.summary("100x1", "traceflow").orElseThrow();
        assertThat(traceflow.maxServerCpu()).isEqualTo(0.97);
        assertThat(traceflow.maxClientCpu()).isEqualTo(0.5);
        // per second of server CPU: what a loaded machine moves less; the ratio is taken within each round too
        assertThat(traceflow.deliveriesPerServerCpuSecond()).isCloseTo(310 / 0.95, within(1e-9));
        assertThat(traceflow.serverCpuRatio()).isCloseTo((310 / 0.95) / (110 / 0.8), within(1e-9));
        assertThat(rounds.mediansTable()).contains("| 100x1 | node | 3 | 110 | 1.00 | 0.80 / 0.50 | 138 (1.00) |");
    }

    @Test
    void theRoundsTable_showsEachLineWithItsOwnRoundsRatio() {
        List<RealtimeMeasurement> all = List.of(m(1, "100x1", "traceflow", 30_000, 12.34), m(1, "100x1", "node", 20_000, 20));
        String table = new RealtimeRounds(all, "node").roundsTable();
        assertThat(table).contains("| 1 | 100x1 | traceflow | 30,000 | 1.50 | 0.90 / 0.50 | 1.0 / 2.0 | 100 | 0.5 / 12.3 | 0 | 0 | 0 | 20,000 | 40,000 |");
        assertThat(table).contains("| 1 | 100x1 | node | 20,000 | 1.00 |");
        assertThat(table.lines().count()).isEqualTo(4);
        assertThat(RealtimeRounds.median(List.of(0.1, 0.2))).isCloseTo(0.15, within(1e-12));
    }
}
