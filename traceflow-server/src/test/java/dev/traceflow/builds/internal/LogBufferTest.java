package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildLogSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The log buffer between the thread that reads a command's output and the server: the reader only
 * queues (a slow or failing send never holds it up or escapes {@code add}), a sender that fell behind
 * catches up with appends of all pending lines up to the worker API's limit, the reader is held back
 * only at the bound (and that is counted), and the lines go out numbered, in order, once sends work.
 */
class LogBufferTest {

    private static final Duration SOON = Duration.ofSeconds(10);

    /** Accepts or refuses sends as the test says, or holds them until released, and records what it accepted. */
    static final class FlakyReporter implements BuildReporter {
        final List<Long> firstSeqs = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        volatile RuntimeException failure;
        volatile CountDownLatch hold = new CountDownLatch(0);
        volatile int refused;
        volatile int started;

        @Override
        public void logs(long firstSeq, List<BuildLogSink.LogLine> batch) {
            started++;
            try {
                hold.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (failure != null) {
                refused++;
                throw failure;
            }
            assertThat(batch.size()).isLessThanOrEqualTo(LogBuffer.MAX_APPEND);
            firstSeqs.add(firstSeq);
            sizes.add(batch.size());
            batch.forEach(l -> lines.add(l.line()));
        }

        @Override
        public void secrets(Collection<String> secrets) {
        }

        @Override
        public void stageStarted(String stage) {
        }

        @Override
        public void stageEnded(String stage, String status) {
        }

        @Override
        public String artifact(Path archive, String sha256, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean heartbeat() {
            return false;
        }
    }

    private static void assertLines(FlakyReporter reporter, int count) {
        assertThat(reporter.lines).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(reporter.lines.get(i)).isEqualTo("line " + (i + 1));
        }
        long expected = 1;
        for (int i = 0; i < reporter.firstSeqs.size(); i++) { // gapless: each append starts after the one before
            assertThat(reporter.firstSeqs.get(i)).isEqualTo(expected);
            expected += reporter.sizes.get(i);
        }
    }

    @Test
    void aFailingSend_neverEscapesAdd_andTheLinesGoOutInOrderInBoundedBatchesOnceSendsWork() {
        FlakyReporter reporter = new FlakyReporter();
        try (LogBuffer log = new LogBuffer(reporter, Clock.systemUTC(), new SimpleMeterRegistry())) {
            reporter.failure = new IllegalStateException("server unreachable");
            for (int i = 1; i <= 1500; i++) {
                log.info("line " + i);
            }
            await().atMost(SOON).until(() -> reporter.refused >= 1);
            assertThatThrownBy(log::flush).isSameAs(reporter.failure); // an explicit flush reports it
            // tried once the first batch waited, then only once per further batch: not once per line
            assertThat(reporter.refused).isBetween(2, 1500 / LogBuffer.BATCH + 1);

            reporter.failure = null;
            log.flush();
            assertLines(reporter, 1500);
            // what waited goes out in appends as large as the worker API takes, not in batches of 200
            assertThat(reporter.sizes).containsExactly(LogBuffer.MAX_APPEND, 500);
            log.info("line 1501");
            log.flush();
            assertThat(reporter.firstSeqs).last().isEqualTo(1501L);
        }
    }

    @Test
    void aLostLease_onAnAutomaticSend_waitsForTheNextFlushToBeReported() {
        FlakyReporter reporter = new FlakyReporter();
        try (LogBuffer log = new LogBuffer(reporter, Clock.systemUTC(), new SimpleMeterRegistry())) {
            reporter.failure = new JdbcBuilds.LeaseLost("b1", 1);
            for (int i = 0; i < LogBuffer.BATCH; i++) {
                log.info("x");
            }
            await().atMost(SOON).until(() -> reporter.refused == 1);
            assertThatThrownBy(log::flush).isInstanceOf(JdbcBuilds.LeaseLost.class);
        }
    }

    @Test
    void aSlowSend_neverHoldsUpTheOutputReader_andTheSenderCatchesUpWithOneLargerAppend() {
        FlakyReporter reporter = new FlakyReporter();
        reporter.hold = new CountDownLatch(1);
        try (LogBuffer log = new LogBuffer(reporter, Clock.systemUTC(), new SimpleMeterRegistry())) {
            assertTimeoutPreemptively(SOON, () -> {
                for (int i = 1; i <= 1000; i++) {
                    log.info("line " + i);
                    if (i == LogBuffer.BATCH) {
                        await().atMost(SOON).until(() -> reporter.started == 1); // the first batch is on its way, and stuck
                    }
                }
            });
            reporter.hold.countDown();
            await().atMost(SOON).until(() -> reporter.lines.size() == 1000);
            assertLines(reporter, 1000);
            // the 800 lines printed while the first append was answered go in one append, not four
            assertThat(reporter.sizes).containsExactly(LogBuffer.BATCH, 800);
        }
    }

    @Test
    void theOutputReader_waitsOnlyOnceMaxPendingLinesAreUnsent_andEachWaitIsCounted() throws Exception {
        FlakyReporter reporter = new FlakyReporter();
        reporter.hold = new CountDownLatch(1);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        int total = LogBuffer.MAX_PENDING + 2 * LogBuffer.MAX_APPEND;
        try (LogBuffer log = new LogBuffer(reporter, Clock.systemUTC(), metrics)) {
            CountDownLatch added = new CountDownLatch(total);
            Thread reader = Thread.ofPlatform().start(() -> {
                for (int i = 1; i <= total; i++) {
                    log.info("line " + i);
                    added.countDown();
                }
            });
            // the first append (200 lines) is held: MAX_PENDING lines, those included, may wait, then the reader waits
            await().atMost(SOON).until(() -> added.getCount() == total - LogBuffer.MAX_PENDING);
            assertThat(added.await(300, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(metrics.counter("traceflow.builds.log.reader.waits").count()).isEqualTo(1);

            reporter.hold.countDown();
            assertThat(added.await(SOON.toSeconds(), TimeUnit.SECONDS)).isTrue();
            reader.join();
            log.flush();
            assertLines(reporter, total);
            assertThat(reporter.sizes).allMatch(n -> n <= LogBuffer.MAX_APPEND);
            assertThat(metrics.summary("traceflow.builds.log.append.lines").count()).isEqualTo(reporter.sizes.size());
        }
    }

    @Test
    void whileSendsFail_theOutputReaderIsNotHeldBack() {
        FlakyReporter reporter = new FlakyReporter();
        reporter.failure = new IllegalStateException("server unreachable");
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (LogBuffer log = new LogBuffer(reporter, Clock.systemUTC(), metrics)) {
            log.info("line 1");
            assertThatThrownBy(log::flush).isSameAs(reporter.failure);
            assertTimeoutPreemptively(SOON, () -> {
                for (int i = 2; i <= LogBuffer.MAX_PENDING + 1000; i++) {
                    log.info("line " + i);
                }
            });
            assertThat(metrics.counter("traceflow.builds.log.reader.waits").count()).isZero();
        }
    }

    @Test
    void anAppend_carriesAtMostTheApiLimit_andAtMostMaxAppendChars_butAlwaysOneLine() {
        BuildLogSink.LogLine shortLine = new BuildLogSink.LogLine(Instant.EPOCH, "info", "build", "x");
        BuildLogSink.LogLine longLine = new BuildLogSink.LogLine(Instant.EPOCH, "info", "build", "y".repeat(LogBuffer.MAX_LINE));
        assertThat(LogBuffer.nextAppendSize(Collections.nCopies(5000, shortLine))).isEqualTo(LogBuffer.MAX_APPEND);
        assertThat(LogBuffer.nextAppendSize(Collections.nCopies(17, shortLine))).isEqualTo(17);
        assertThat(LogBuffer.nextAppendSize(Collections.nCopies(1000, longLine))).isEqualTo(LogBuffer.MAX_APPEND_CHARS / LogBuffer.MAX_LINE);
        assertThat(LogBuffer.nextAppendSize(List.of(new BuildLogSink.LogLine(Instant.EPOCH, "info", "build",
                "z".repeat(LogBuffer.MAX_APPEND_CHARS + 1))))).isEqualTo(1);
    }

    @Test
    void sendSoon_sendsFewerThanABatch_withoutWaitingForASlowSend_andReportsALostLease() {
        FlakyReporter reporter = new FlakyReporter();
        try (LogBuffer log = new LogBuffer(reporter, Clock.systemUTC(), new SimpleMeterRegistry())) {
            for (int i = 1; i <= 5; i++) {
                log.info("line " + i);
            }
            log.sendSoon();
            await().atMost(SOON).until(() -> reporter.lines.size() == 5);

            reporter.hold = new CountDownLatch(1);
            log.info("line 6");
            log.sendSoon();
            await().atMost(SOON).until(() -> reporter.started == 2); // stuck in the server
            // the worker's ticker heartbeats right after: it must not wait for that send
            assertTimeoutPreemptively(Duration.ofSeconds(2), log::sendSoon);

            reporter.failure = new JdbcBuilds.LeaseLost("b1", 1);
            reporter.hold.countDown();
            await().atMost(SOON).until(() -> reporter.refused >= 1); // twice: the ticker asked for a send meanwhile
            assertThatThrownBy(log::sendSoon).isInstanceOf(JdbcBuilds.LeaseLost.class);
            assertLines(reporter, 5);
        }
    }

    @Test
    void close_endsTheSenderThread() {
        LogBuffer log = new LogBuffer(new FlakyReporter(), Clock.systemUTC(), new SimpleMeterRegistry());
        log.close();
        await().atMost(SOON).until(() -> !log.senderAlive());
    }
}
