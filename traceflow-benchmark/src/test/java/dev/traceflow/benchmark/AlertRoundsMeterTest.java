package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertRoundsMeterTest {

    @Test
    void coreShareOver_isTheCpuAboveIdlePerSecond() {
        AlertRoundsMeter.Window idle = window(6.0, 0, 0);
        AlertRoundsMeter.Window rules = window(36.0, 12, 24.0);

        assertThat(rules.coreShareOver(idle)).isEqualTo(0.5); // 30 s of CPU per minute above idle
        assertThat(rules.meanRoundSeconds()).isEqualTo(2.0);
        assertThat(idle.meanRoundSeconds()).isZero();
    }

    @Test
    void secondsForAllRules_comesFromRoundTimeOverEvaluations_soRoundsLongerThanTheWindowStillCount() {
        // one 90 s round of 300 evaluations ended in a 2-minute window: 45 s and 150 evaluations per minute
        AlertRoundsMeter.Window slow = new AlertRoundsMeter.Window("p", 1_000, 120, 150, 0.5, 45, 90, 12, 0, 0, 40, Map.of(),
                new double[] {1, 1});

        assertThat(slow.secondsPerEvaluation()).isEqualTo(0.3);
        assertThat(slow.secondsForAllRules()).isEqualTo(300.0);
        assertThat(window(6.0, 0, 0).secondsPerEvaluation()).isZero();
    }

    @Test
    void groupOfThread_putsAlertAndQueryThreadsApart_andTheRestAsTheIngestBenchmarkDoes() {
        assertThat(AlertRoundsMeter.groupOfThread("alerts-schedule")).isEqualTo("alerts"); // Linux cuts names to 15 bytes
        assertThat(AlertRoundsMeter.groupOfThread("alerts-error-gr")).isEqualTo("alerts");
        assertThat(AlertRoundsMeter.groupOfThread("alert-delivery-")).isEqualTo("alerts");
        assertThat(AlertRoundsMeter.groupOfThread("duckdb-read-2")).isEqualTo("reads");
        assertThat(AlertRoundsMeter.groupOfThread("traceflow-stor")).isEqualTo("loader");
        assertThat(AlertRoundsMeter.groupOfThread("C2 CompilerThre")).isEqualTo("jit");
    }

    private static AlertRoundsMeter.Window window(double cpuPerMinute, double roundsPerMinute, double roundSecondsPerMinute) {
        return new AlertRoundsMeter.Window("p", 0, 120, 0, roundsPerMinute, roundSecondsPerMinute, 0, 0, 0, 0, cpuPerMinute, Map.of(),
                new double[] {1, 1});
    }
}
