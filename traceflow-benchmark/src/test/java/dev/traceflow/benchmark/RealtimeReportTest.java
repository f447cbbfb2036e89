package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The realtime benchmark's results: the file holds the setting, every measurement, the medians and
 * the targets in that order; the run ends with the verdicts, the two tables and the load average.
 */
class RealtimeReportTest {

    private static final double NAN = Double.NaN;

    private static RealtimeMeasurement m(int round, String scenario, String variant, double deliveries, double fixedP99, double heap) {
        return new RealtimeMeasurement(round, scenario, variant, deliveries, 1, 2, deliveries / 2, 1, fixedP99, 0, 0, 0,
                heap, heap * 2, 0.9, 0.5);
    }

    @Test
    void theResults_holdEverySectionInOrder_andThePrintedEndGivesVerdictsTablesAndLoad(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("realtime-results.json");
        RealtimeBenchmarkOptions options = RealtimeBenchmarkOptions.parse(new String[]{"--out", file.toString(), "--rounds", "1"});
        List<RealtimeMeasurement> measurements = List.of(m(1, "100x1", "traceflow", 300, 12, NAN), m(1, "100x1", "node", 100, 30, NAN),
                m(1, "idle-2000", "traceflow", NAN, NAN, 20_000), m(1, "idle-2000", "node", NAN, NAN, 10_000));
        List<Map<String, Object>> raw = new ArrayList<>();
        raw.add(Map.of("round", 1));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        new RealtimeReport(options).write(measurements, raw, new PrintStream(printed, true, StandardCharsets.UTF_8));

        JsonNode json = JsonMapper.shared().readTree(Files.readString(file));
        assertThat(json.propertyNames()).containsExactly("startedAt", "machineCpus", "harnessCpus", "serverCpus",
                "loadAverageBefore", "client", "options", "loadAverageAfter", "measurements", "medians", "targets", "raw");
        assertThat(json.path("targets").path("deliveriesRatio").path("result").asString()).isEqualTo("PASS");
        assertThat(json.path("targets").path("p99AtHalfLoadMs").path("target").asString()).isEqualTo("< 50.0");
        assertThat(json.path("targets").path("idleHeapBytesPerConnection").path("result").asString()).isEqualTo("FAIL");
        String text = printed.toString(StandardCharsets.UTF_8);
        RealtimeRounds rounds = new RealtimeRounds(measurements, "node");
        assertThat(text).startsWith("target deliveriesRatio: ");
        assertThat(text).contains("target p99AtHalfLoadMs: ", "target idleHeapBytesPerConnection: ");
        assertThat(text).contains("\n\n" + rounds.roundsTable() + "\n" + rounds.mediansTable() + "\nload average (1, 5, 15 min) before [");
        assertThat(text).endsWith("; results in " + file + System.lineSeparator());
    }

    @Test
    void withoutTheTargetScenario_orAnIdleOne_noTargetIsJudged() throws Exception {
        RealtimeRounds rounds = new RealtimeRounds(List.of(m(1, "1000x10", "traceflow", 300, 12, NAN),
                m(1, "1000x10", "node", 100, 30, NAN)), "node");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Map<String, Object> targets = RealtimeReport.targets(rounds, List.of(new RealtimeBenchmarkOptions.Scenario(1000, 10, false)),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(targets).isEmpty();
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
