package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuildLogBenchmarkTest {

    @Test
    void options_haveTheIssuesDefaults_withAppendsUpToTheWorkerApisLimit() throws Exception {
        BuildLogBenchmark.Options options = BuildLogBenchmark.Options.parse(new String[0]);
        assertThat(options.rate()).isEqualTo(5_000);
        assertThat(options.seconds()).isEqualTo(20);
        assertThat(options.followers()).isEqualTo(100);
        assertThat(options.reconnects()).isEqualTo(20);
        assertThat(options.maxLinesPerAppend()).isEqualTo(1000);
        assertThat(options.total()).isEqualTo(100_000);
        assertThat(options.warmupSeconds()).isEqualTo(10);
        assertThat(options.warmupLines()).isEqualTo(50_000);
        assertThat(options.client()).isEqualTo(LogFollower.Client.RAW);
        assertThat(BuildLogBenchmark.Options.parse(new String[]{"--client", "jdk", "--warmup-seconds", "0"}))
                .satisfies(o -> assertThat(o.client()).isEqualTo(LogFollower.Client.JDK))
                .satisfies(o -> assertThat(o.warmupSeconds()).isZero());
    }

    @Test
    void options_refuseAppendsTheServerWouldRefuse() {
        assertThatThrownBy(() -> BuildLogBenchmark.Options.parse(new String[]{"--max-lines-per-append", "1001"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class).hasMessageContaining("1000 lines");
        assertThatThrownBy(() -> BuildLogBenchmark.Options.parse(new String[]{"--max-lines-per-append", "0"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class);
        assertThatThrownBy(() -> BuildLogBenchmark.Options.parse(new String[]{"--reconnects", "-1"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class);
        assertThatThrownBy(() -> BuildLogBenchmark.Options.parse(new String[]{"--client", "netty"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class).hasMessageContaining("raw or jdk");
        assertThatThrownBy(() -> BuildLogBenchmark.Options.parse(new String[]{"--warmup-seconds", "-1"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class);
        assertThatThrownBy(() -> BuildLogBenchmark.Options.parse(new String[]{"--folowers", "3"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class).hasMessageContaining("--folowers");
    }

    @Test
    void theWritersNextAppend_waitsForABatch_thenCarriesAllThatWaitsUpToTheLimit_andTheRestAtTheEnd() {
        assertThat(WorkerLogWriter.nextAppend(199, 0, false, 1000)).isZero();
        assertThat(WorkerLogWriter.nextAppend(200, 0, false, 1000)).isEqualTo(200);
        assertThat(WorkerLogWriter.nextAppend(1_450, 200, false, 1000)).isEqualTo(1000); // behind: one large append
        assertThat(WorkerLogWriter.nextAppend(1_450, 200, false, 200)).isEqualTo(200); // the worker before: 200 at a time
        assertThat(WorkerLogWriter.nextAppend(100_000, 99_950, true, 1000)).isEqualTo(50); // the last lines, fewer than a batch
        assertThat(WorkerLogWriter.nextAppend(100_000, 100_000, true, 1000)).isZero();
        assertThat(WorkerLogWriter.nextAppend(150, 0, false, 100)).isEqualTo(100); // a limit under a batch starts at the limit
    }

    @Test
    void aCommandThatPrintedFarAheadOfTheSender_isHeldBackOnlyPastTheBound_andEverythingIsSent() throws Exception {
        int total = 3 * WorkerLogWriter.MAX_PENDING;
        WorkerLogWriter.Queued queued = new WorkerLogWriter.Queued(total);
        // one burst far past the bound (a printer that was descheduled for seconds): queued up to the bound, then held back
        Thread printer = Thread.ofPlatform().start(() -> {
            try {
                queued.printedUpTo(total);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long sent = 0;
        List<Integer> sizes = new ArrayList<>();
        for (int n = queued.nextAppend(1000); n > 0; n = queued.nextAppend(1000)) {
            sizes.add(n);
            sent += n;
            queued.sentUpTo(sent);
        }
        printer.join(10_000);
        assertThat(sent).isEqualTo(total);
        assertThat(sizes).allMatch(n -> n == 1000);
        assertThat(queued.heldBack()).isEqualTo(1);
    }

    @Test
    void cursorOf_readsTheLogMessagesCursor_notOneInsideTheLine() {
        assertThat(LogFollower.cursorOf("{\"type\":\"log\",\"buildId\":\"b\",\"ts\":\"t\",\"level\":\"info\",\"stage\":\"build\","
                + "\"line\":\"say \\\"cursor\\\":7\",\"cursor\":12345}")).isEqualTo(12_345);
        assertThat(LogFollower.cursorOf("{\"type\":\"end\",\"buildId\":\"b\",\"status\":\"fail\"}")).isZero();
        assertThat(LogFollower.cursorOf("{\"type\":\"error\",\"code\":\"NOT_FOUND\",\"message\":\"\\\"cursor\\\":3\"}")).isZero();
    }

    @Test
    void subscribe_resumesFromTheLastCursor_orStartsWithout() {
        assertThat(LogFollower.subscribeMessage("b1", 0)).isEqualTo("{\"type\":\"subscribe\",\"buildId\":\"b1\"}");
        assertThat(LogFollower.subscribeMessage("b1", 42)).isEqualTo("{\"type\":\"subscribe\",\"buildId\":\"b1\",\"cursor\":42}");
    }

    @Test
    void aFollower_isExactOnlyWithEveryCursorOnceInOrder() {
        LogFollower inOrder = follower();
        for (int c = 1; c <= 3; c++) {
            inOrder.onMessage(0, log(c), 0);
        }
        inOrder.onMessage(0, "{\"type\":\"end\",\"buildId\":\"b\",\"status\":\"success\"}", 0);
        assertThat(inOrder.exactly(3)).isTrue();
        assertThat(inOrder.ended().getCount()).isZero();
        assertThat(inOrder.latencies().count()).isEqualTo(3);
        assertThat(inOrder.latenciesSincePrinted().count()).isEqualTo(3);

        LogFollower duplicate = follower();
        for (int c : new int[]{1, 2, 2, 3}) {
            duplicate.onMessage(0, log(c), 0);
        }
        assertThat(duplicate.exactly(3)).isFalse();

        LogFollower gap = follower();
        for (int c : new int[]{1, 3}) {
            gap.onMessage(0, log(c), 0);
        }
        assertThat(gap.exactly(3)).isFalse();

        LogFollower error = follower();
        error.onMessage(0, log(1), 0);
        error.onMessage(0, "{\"type\":\"error\",\"code\":\"UNAVAILABLE\"}", 0);
        assertThat(error.exactly(1)).isFalse();
        assertThat(error.unexpected()).contains("UNAVAILABLE");
    }

    @Test
    void cursorOfBytes_readsTheLastField_andLeavesAnythingElseToTheTextReading() {
        byte[] padded = ("xx" + log(12_345).replace("\"line\":\"x\"", "\"line\":\"say \\\"cursor\\\":7\"") + "yy")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(LogFollower.cursorOf(padded, 2, padded.length - 4)).isEqualTo(12_345);
        byte[] end = "{\"type\":\"end\",\"buildId\":\"b\",\"status\":\"fail\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(LogFollower.cursorOf(end, 0, end.length)).isZero();
        byte[] otherOrder = "{\"type\":\"log\",\"cursor\":5,\"line\":\"9\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(LogFollower.cursorOf(otherOrder, 0, otherOrder.length)).isZero();
        LogFollower f = follower();
        f.onMessage(0, otherOrder, 0, otherOrder.length, 0); // read as text then: still counted
        byte[] two = log(2).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        f.onMessage(0, two, 0, two.length, 0);
        assertThat(f.received()).isEqualTo(2);
        assertThat(f.exactly(2)).isFalse(); // 5 then 2: out of order
    }

    @Test
    void aKilledConnectionsMessages_areNotCounted() {
        LogFollower f = follower();
        f.onMessage(0, log(1), 0);
        f.onMessage(1, log(2), 0); // a connection that is not the current one (generation 0)
        assertThat(f.received()).isEqualTo(1);
        assertThat(f.exactly(1)).isTrue();
    }

    @Test
    void summary_printsTheFiguresAndWhetherTheTargetIsMet() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("options", Map.of("rate", 5000, "seconds", 20, "followers", 100, "reconnects", 20, "maxLinesPerAppend", 1000));
        r.put("lines", 100_000);
        r.put("writeSeconds", 20.1);
        r.put("linesPerSecondWritten", 4975);
        r.put("appends", 480);
        r.put("appendMs", Map.of("p50", 3.5, "p99", 20.0, "max", 41.0));
        r.put("linesPerAppend", Map.of("p50", 200L, "max", 1000L));
        r.put("printerHeldBack", 0L);
        r.put("writerKeptUp", true);
        r.put("latencySincePrintedMs", Map.of("p50", 30.0, "p90", 90.0, "p99", 700.0, "max", 1100.0));
        r.put("followersExact", 100);
        r.put("followersEnded", 101);
        r.put("secondsUntilAllEnded", 20.6);
        r.put("resuming", Map.of("reconnects", 20, "received", 100_000, "exact", true));
        r.put("receipts", 10_000_000L);
        r.put("receiptsPerSecond", 485_000L);
        r.put("latencyMs", Map.of("p50", 12.0, "p90", 80.0, "p99", 620.0, "p999", 900.0, "max", 1000.0));
        r.put("targetP99Ms", 500.0);
        r.put("targetMet", false);
        r.put("loadAverageBefore", new double[]{1, 2, 3});
        r.put("loadAverageAfter", new double[]{4, 5, 6});
        r.put("serverJar", "s.jar");
        String text = BuildLogSummary.of(r);
        assertThat(text).contains("100 of 100").contains("reconnected 20 times, 100000 lines received, exactly 1..100000: true")
                .contains("p50 12.0, p90 80.0, p99 620.0").contains("NOT met").contains("[1.0, 2.0, 3.0]")
                .contains("with the wait in the worker): p50 30.0, p90 90.0, p99 700.0").contains("480 appends over HTTP of up to 1000 lines")
                .contains("writer kept up: true");
    }

    private static LogFollower follower() {
        return new LogFollower(null, null, "f", "b", new AtomicLongArray(10), new AtomicLongArray(10));
    }

    private static String log(long cursor) {
        return "{\"type\":\"log\",\"buildId\":\"b\",\"ts\":\"t\",\"level\":\"info\",\"stage\":\"build\",\"line\":\"x\",\"cursor\":" + cursor + "}";
    }
}
