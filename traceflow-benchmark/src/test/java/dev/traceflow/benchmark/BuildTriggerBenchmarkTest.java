package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuildTriggerBenchmarkTest {

    @Test
    void options_haveTheIssuesDefaults_andNoWorkerOnTheServer() throws Exception {
        BuildTriggerBenchmark.Options options = BuildTriggerBenchmark.Options.parse(new String[0]);
        assertThat(options.rate()).isEqualTo(500);
        assertThat(options.seconds()).isEqualTo(10);
        assertThat(options.measured()).isEqualTo(5_000);
        assertThat(options.warmup()).isEqualTo(2_000);
        assertThat(options.serverSettings()).containsEntry("TRACEFLOW_BUILDS_QUEUE_WORKERS", "0")
                .doesNotContainKey("TRACEFLOW_METADATA_URL");
    }

    @Test
    void options_passTheMetadataDatabaseOn() throws Exception {
        BuildTriggerBenchmark.Options options = BuildTriggerBenchmark.Options.parse(new String[]{
                "--metadata-url", "jdbc:postgresql://127.0.0.1:5432/bench", "--metadata-user", "postgres"});
        assertThat(options.serverSettings()).containsEntry("TRACEFLOW_METADATA_URL", "jdbc:postgresql://127.0.0.1:5432/bench")
                .containsEntry("TRACEFLOW_METADATA_USER", "postgres");
        assertThatThrownBy(() -> BuildTriggerBenchmark.Options.parse(new String[]{"--metadata-url", "postgresql://x/y"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class).hasMessageContaining("JDBC");
    }

    @Test
    void options_refuseMoreTriggersThanTheQueueHolds() {
        assertThatThrownBy(() -> BuildTriggerBenchmark.Options.parse(new String[]{"--rate", "1000", "--seconds", "9", "--warmup", "1001"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class).hasMessageContaining("10000");
        assertThatThrownBy(() -> BuildTriggerBenchmark.Options.parse(new String[]{"--warmup", "-5"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class);
    }

    @Test
    void options_takeSeveralRates_measuredInTurnAfterOneWarmupAtTheFirst() throws Exception {
        BuildTriggerBenchmark.Options options = BuildTriggerBenchmark.Options.parse(new String[]{"--rate", "300, 400,500", "--seconds", "6"});
        assertThat(options.rates()).containsExactly(300, 400, 500);
        assertThat(options.rate()).isEqualTo(300);
        assertThat(options.measured()).isEqualTo(7_200);
        assertThatThrownBy(() -> BuildTriggerBenchmark.Options.parse(new String[]{"--rate", "300,0"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class).hasMessageContaining("--rate");
        assertThatThrownBy(() -> BuildTriggerBenchmark.Options.parse(new String[]{"--rate", "300,400,500"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class).hasMessageContaining("10000");
    }

    @Test
    void theDatabasesCpu_sumsEveryPostgresProcess_andNothingElse(@TempDir Path proc) throws Exception {
        // utime and stime are fields 14 and 15: ticks of 10 ms
        writeStat(proc, "101", "postgres", 30, 20);
        writeStat(proc, "102", "postgres", 5, 5);
        writeStat(proc, "103", "java", 900, 900);
        Files.createDirectories(proc.resolve("self"));
        assertThat(DatabaseCpu.postgresNanos(proc)).isEqualTo(60 * 10_000_000L);
    }

    private static void writeStat(Path proc, String pid, String name, long utime, long stime) throws Exception {
        Files.createDirectories(proc.resolve(pid));
        Files.writeString(proc.resolve(pid).resolve("stat"),
                pid + " (" + name + ") S 1 1 1 0 -1 4194304 100 0 0 0 " + utime + " " + stime + " 0 0 20 0 1 0 100 1000 10");
    }

    @Test
    void aRun_timesThe202s_andCountsConflictsAndFailuresApart() {
        BuildTriggerBenchmark.Result result = BuildTriggerBenchmark.result(new double[]{30, 10, 900, 20, 40},
                new int[]{202, 202, 409, 202, 0}, 1.0, 2.0);
        assertThat(result.acceptedMillis()).containsExactly(10, 20, 30);
        assertThat(result.statuses()).containsEntry(202, 3).containsEntry(409, 1).containsEntry(0, 1);
        Map<String, Object> report = result.toReport(500);
        assertThat(report).containsEntry("sent", 5).containsEntry("accepted", 3).containsEntry("conflicts", 1)
                .containsEntry("p50Ms", 20.0).containsEntry("p99Ms", 30.0).containsEntry("targetMet", false)
                .containsEntry("answeredSeconds", 2.0).containsEntry("acceptedPerSecond", 1.5);
    }

    @Test
    void theServersThroughput_runsToTheLastAnswer_notToTheLastSend() {
        // due at 0, 0.5 and 1.0 s; the second answered last, 2.5 s after its send
        assertThat(BuildTriggerBenchmark.answeredSeconds(new double[]{100, 2_500, 300}, 500_000_000L)).isEqualTo(3.0);
        assertThat(BuildTriggerBenchmark.answeredSeconds(new double[0], 500_000_000L)).isZero();
    }

    @Test
    void theTarget_isMetWhenEveryTriggerIsAcceptedUnder50msAtP99() {
        double[] millis = new double[100];
        int[] status = new int[100];
        for (int i = 0; i < 100; i++) {
            millis[i] = i < 99 ? 5 : 400; // the slowest 1 % is beyond p99
            status[i] = 202;
        }
        assertThat(BuildTriggerBenchmark.result(millis, status, 0.2, 0.3).toReport(500)).containsEntry("p99Ms", 5.0).containsEntry("targetMet", true);
        assertThat(BuildTriggerBenchmark.result(new double[0], new int[0], 0, 0).toReport(500)).containsEntry("p99Ms", null)
                .containsEntry("acceptedPerSecond", null)
                .containsEntry("targetMet", false);
    }

    @Test
    void summary_namesTheDatabase_theFigures_andTheTarget() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("database", "h2");
        r.put("triggers", BuildTriggerBenchmark.result(new double[]{12, 8}, new int[]{202, 202}, 10.0, 4.0).toReport(500));
        r.put("loadAverageBefore", new double[]{0.5, 0.4, 0.3});
        r.put("loadAverageAfter", new double[]{0.6, 0.4, 0.3});
        r.put("serverJar", "s.jar");
        assertThat(BuildTriggerBenchmark.summary(r)).contains("(h2)").contains("2 sent, 2 accepted (202), 0 conflicts (409)")
                .contains("p50 8.0").contains("p99 12.0").contains("after 4.0 s: 0.5 accepted a second").contains(": met").contains("[0.5, 0.4, 0.3]");
    }

    @Test
    void summary_ofSeveralRates_listsEachWithItsCpuPerTrigger() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("database", "postgresql");
        Map<String, Object> at300 = BuildTriggerBenchmark.result(new double[]{5, 7}, new int[]{202, 202}, 1.0, 1.0).toReport(300);
        at300.put("serverCpuMsPerTrigger", 1.25);
        at300.put("databaseCpuMsPerTrigger", 0.5);
        Map<String, Object> at500 = BuildTriggerBenchmark.result(new double[]{9, 60}, new int[]{202, 500}, 1.0, 1.0).toReport(500);
        at500.put("serverCpuMsPerTrigger", 1.5);
        at500.put("databaseCpuMsPerTrigger", 0.75);
        r.put("triggers", at500);
        r.put("byRate", java.util.List.of(at300, at500));
        r.put("loadAverageBefore", new double[]{0.5, 0.4, 0.3});
        r.put("loadAverageAfter", new double[]{0.6, 0.4, 0.3});
        r.put("serverJar", "s.jar");
        assertThat(BuildTriggerBenchmark.summary(r)).contains("CPU per accepted trigger: server 1.5 ms, PostgreSQL processes 0.75 ms")
                .contains("| 300 | 2 | 2 | 0 | 2.0 | 5.0 |").contains("| 1.25 | 0.5 |")
                .contains("| 500 | 2 | 1 | 1 | 1.0 | 9.0 |");
    }
}
