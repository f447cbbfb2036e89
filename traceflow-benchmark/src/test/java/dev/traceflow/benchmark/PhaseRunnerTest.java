package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PhaseRunnerTest {

    private final StubIngestServer stub = new StubIngestServer();
    private final List<BatchTemplate> templates = BatchTemplates.generate(50, 8, 3, System.currentTimeMillis());
    private final PhaseRunner runner = new PhaseRunner(stub.address(), StubIngestServer.KEY, templates, 4, "phrt");

    PhaseRunnerTest() throws IOException {
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void closedLoopCountsEveryAcceptedEventAndSendsUniqueIds() throws InterruptedException {
        PhaseResult result = runner.run(LoadPhase.closedLoop("ingest", IngestBenchmark.INGEST_PATH, Duration.ofMillis(600)));

        assertThat(result.requests()).isPositive().isEqualTo(stub.ingestRequests.get());
        assertThat(result.acceptedEvents()).isEqualTo(result.requests() * 50);
        assertThat(stub.ingestedEventIds).hasSize((int) result.acceptedEvents());
        assertThat(result.statuses()).containsOnlyKeys(202);
        assertThat(result.failedRequests()).isZero();
        assertThat(result.seconds()).isGreaterThanOrEqualTo(0.6);
        assertThat(result.p50Ms()).isPositive().isLessThanOrEqualTo(result.p99Ms());
        assertThat(result.maxMs()).isGreaterThanOrEqualTo(result.p99Ms());
        assertThat(result.connectsMade()).isEqualTo(4);
    }

    @Test
    void aFixedWorkPhaseSendsExactlyItsRequestsOnEveryConnection() throws InterruptedException {
        PhaseResult result = runner.run(LoadPhase.fixedWork("collect-batch", IngestBenchmark.INGEST_PATH, Duration.ofMinutes(1), 25,
                LoadPhase.ACCEPTED));

        assertThat(result.requests()).isEqualTo(4 * 25).isEqualTo(stub.ingestRequests.get());
        assertThat(result.acceptedEvents()).isEqualTo(4 * 25 * 50);
        assertThat(stub.ingestedEventIds).hasSize(4 * 25 * 50);
        assertThat(result.seconds()).isLessThan(60);
    }

    @Test
    void aPhaseCountsTheSuccessStatusItExpects_andAnyOtherAsFailed() throws InterruptedException {
        // the stub's batch endpoint answers 202: a phase that expects Sentry's 200 counts no events
        PhaseResult result = runner.run(LoadPhase.fixedWork("envelope", IngestBenchmark.INGEST_PATH, Duration.ofMinutes(1), 2, 200));

        assertThat(result.requests()).isEqualTo(8);
        assertThat(result.nonSuccess()).isEqualTo(8);
        assertThat(result.acceptedEvents()).isZero();
        assertThat(result.firstError()).startsWith("HTTP 202");
    }

    @Test
    void eventIdsStayUniqueAcrossPhasesOfOneRun() throws InterruptedException {
        PhaseResult first = runner.run(LoadPhase.closedLoop("warmup", IngestBenchmark.INGEST_PATH, Duration.ofMillis(200)));
        PhaseResult second = runner.run(LoadPhase.closedLoop("ingest", IngestBenchmark.INGEST_PATH, Duration.ofMillis(200)));

        assertThat(stub.ingestedEventIds).hasSize((int) (first.acceptedEvents() + second.acceptedEvents()));
    }

    @Test
    void aBackgroundPhaseStopsEarlyAndReportsTheTimeItRan() throws InterruptedException {
        PhaseResult[] result = new PhaseResult[1];
        Thread background = Thread.ofPlatform().start(() -> {
            try {
                result[0] = runner.run(LoadPhase.fixedRate("ingest-half", IngestBenchmark.INGEST_PATH, Duration.ofMinutes(10), 200));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(500);
        while (background.isAlive()) { // stopEarly does nothing until the phase has started
            runner.stopEarly();
            background.join(100);
        }

        assertThat(result[0].seconds()).isBetween(0.3, 5.0);
        assertThat(result[0].requests()).isPositive();
        assertThat(result[0].requestsPerSecond()).isCloseTo(200, within(60.0));
    }

    /**
     * A clock only the load loops move: parking until a time sets it there at once, and nothing
     * else moves it, so an open loop's schedule alone decides what is sent.
     */
    private static final class HandMovedTicker implements Ticker {
        private final AtomicLong now = new AtomicLong();

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public void parkUntil(long nanoTime) {
            now.accumulateAndGet(nanoTime, Math::max);
        }
    }

    @Test
    void openLoopSendsEveryRequestItsScheduleHasBeforeTheDeadline() throws InterruptedException {
        PhaseRunner onSchedule = new PhaseRunner(stub.address(), StubIngestServer.KEY, templates, 4, "open", new HandMovedTicker());

        PhaseResult result = onSchedule.run(LoadPhase.fixedRate("ingest-half", IngestBenchmark.INGEST_PATH, Duration.ofSeconds(1), 200));

        assertThat(result.loop()).isEqualTo("open");
        // 200 a second for a second: 4 connections of 50 requests 20 ms apart, their starts 5 ms apart
        assertThat(result.requests()).isEqualTo(200).isEqualTo(stub.ingestRequests.get());
        assertThat(result.acceptedEvents()).isEqualTo(200 * 50);
        // the phase clock stops at the last answer, sent when due at 995 ms
        assertThat(result.seconds()).isCloseTo(0.995, within(1e-9));
        assertThat(result.eventsPerSecond()).isCloseTo(200 * 50 / 0.995, within(1e-6));
    }

    @Test
    void overloadIsCountedAsNonSuccessWithoutAcceptedEvents() throws InterruptedException {
        stub.overloaded = true;

        PhaseResult result = runner.run(LoadPhase.closedLoop("ingest", IngestBenchmark.INGEST_PATH, Duration.ofMillis(300)));

        assertThat(result.overloaded()).isEqualTo(result.requests()).isPositive();
        assertThat(result.nonSuccess()).isEqualTo(result.requests());
        assertThat(result.acceptedEvents()).isZero();
        assertThat(result.firstError()).contains("503").contains("Retry-After 1");
    }

    @Test
    void unreachableServerShowsUpAsIoErrors() throws Exception {
        int closedPort = FreePort.pick();
        PhaseRunner nowhere = new PhaseRunner(new InetSocketAddress("127.0.0.1", closedPort), "k", templates, 2, "nowh");

        PhaseResult result = nowhere.run(LoadPhase.closedLoop("ingest", IngestBenchmark.INGEST_PATH, Duration.ofMillis(200)));

        assertThat(result.requests()).isZero();
        assertThat(result.ioErrors()).isPositive();
        assertThat(result.eventsPerSecond()).isZero();
    }
}
