package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EnvelopeComparisonTest {

    private static final long NOW = System.currentTimeMillis();
    private final StubIngestServer stub = new StubIngestServer();

    EnvelopeComparisonTest() throws IOException {
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void roundsAlternateTheOrderSoNoiseHitsEveryVariant() {
        assertThat(EnvelopeComparison.order(1)).containsExactly(EnvelopeComparison.Variant.COLLECT_BATCH,
                EnvelopeComparison.Variant.ENVELOPE, EnvelopeComparison.Variant.ENVELOPE_BATCH, EnvelopeComparison.Variant.COLLECT_SINGLE,
                EnvelopeComparison.Variant.COLLECT_BATCH_ERRORS);
        assertThat(EnvelopeComparison.order(2)).containsExactly(EnvelopeComparison.Variant.COLLECT_BATCH_ERRORS,
                EnvelopeComparison.Variant.COLLECT_SINGLE, EnvelopeComparison.Variant.ENVELOPE_BATCH, EnvelopeComparison.Variant.ENVELOPE,
                EnvelopeComparison.Variant.COLLECT_BATCH);
        assertThat(EnvelopeComparison.order(3)).isEqualTo(EnvelopeComparison.order(1));
    }

    @Test
    void eventsPerPhaseRoundUpToWholeRequestsOnEveryConnection() {
        assertThat(EnvelopeComparison.eventsPerPhase(200_000, 16, 50)).isEqualTo(200_000);
        assertThat(EnvelopeComparison.eventsPerPhase(1_000, 16, 50)).isEqualTo(1_600);
        assertThat(EnvelopeComparison.eventsPerPhase(1, 3, 7)).isEqualTo(21);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(EnvelopeComparison.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(EnvelopeComparison.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
        assertThat(EnvelopeComparison.median(List.of())).isZero();
    }

    @Test
    void ratiosAreTakenWithinEachRoundThenTheirMedian() {
        List<EnvelopeComparison.Measurement> measurements = List.of(
                measured("collect-batch", 1, 100_000), measured("envelope", 1, 50_000),
                measured("envelope-batch", 1, 90_000), measured("collect-single", 1, 40_000),
                measured("collect-batch", 2, 50_000), measured("envelope", 2, 45_000),
                measured("envelope-batch", 2, 40_000), measured("collect-single", 2, 30_000),
                measured("collect-batch", 3, 80_000), measured("envelope", 3, 60_000),
                measured("envelope-batch", 3, 80_000), measured("collect-single", 3, 60_000),
                measured("collect-batch-errors", 1, 100_000), measured("collect-batch-errors", 2, 50_000),
                measured("collect-batch-errors", 3, 100_000));

        EnvelopeComparison.Summary summary = EnvelopeComparison.summarize(1000, 3, true, List.of(), measurements);

        EnvelopeComparison.Ratio target = summary.ratios().getFirst();
        assertThat(target.name()).isEqualTo("envelope / collect-batch");
        assertThat(target.perRound()).containsExactly(0.5, 0.9, 0.75);
        // the median of the rounds' ratios, not the ratio of the medians (50k / 80k = 0.625)
        assertThat(summary.issueWordingRatio()).isEqualTo(0.75);
        assertThat(summary.ratios().get(1).name()).isEqualTo("envelope / collect-single");
        assertThat(summary.ratios().get(1).median()).isCloseTo(1.25, within(1e-9));
        assertThat(summary.ratios().get(2).name()).isEqualTo("envelope-batch / collect-batch");
        assertThat(summary.ratios().get(3).name()).isEqualTo("envelope-batch / collect-batch-errors");
        assertThat(summary.ratios().get(3).perRound()).containsExactly(0.9, 0.8, 0.8);
        // the target is judged on the same events both ways
        assertThat(summary.sameEventsRatio()).isEqualTo(0.8);
        assertThat(summary.toMarkdown()).contains("The target is judged on envelope-batch / collect-batch-errors");
        assertThat(summary.medianEventsPerSecond()).containsEntry("collect-batch", 80_000.0).containsEntry("envelope", 50_000.0);
    }

    private static EnvelopeComparison.Measurement measured(String variant, int round, double eventsPerSecond) {
        return new EnvelopeComparison.Measurement(variant, round, 1000, 1, 0.0, eventsPerSecond, eventsPerSecond, 0);
    }

    private static final List<BatchTemplate> BATCHES_OF_5 = BatchTemplates.generate(5, 4, 1, NOW);

    private PhaseRunner runner(int connections, String runTag) {
        return new PhaseRunner(stub.address(), StubIngestServer.KEY, BATCHES_OF_5, connections, runTag);
    }

    /** The four variants against the stub: batches (and batched envelopes) of 5 events, 4 templates each. */
    private static List<EnvelopeComparison.Load> loadsOfBatchesOf5(PhaseRunner runner) {
        return EnvelopeComparison.loads(BATCHES_OF_5, 5, 4, 1, NOW, runner.hostHeader(), StubIngestServer.KEY,
                StubIngestServer.SENTRY_PROJECT);
    }

    @Test
    void everyPhaseSendsTheSameNumberOfEvents_andWaitsForThemToBeStored() throws Exception {
        PhaseRunner runner = runner(2, "envc");
        List<EnvelopeComparison.Load> loads = loadsOfBatchesOf5(runner);
        AtomicInteger storeWaits = new AtomicInteger();
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        EnvelopeComparison.Result result = new EnvelopeComparison(runner, loads, 2, 95, 2, Duration.ZERO,
                () -> {
                    storeWaits.incrementAndGet();
                    return Duration.ofMillis(10);
                }, null, new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        // 95 events rounded up to whole batches of 5 on both connections: 100 per phase, 10 phases
        assertThat(result.phases()).hasSize(10);
        assertThat(result.phases()).allSatisfy(phase -> {
            assertThat(phase.acceptedEvents()).isEqualTo(100);
            assertThat(phase.failedRequests()).isZero();
        });
        assertThat(result.phases().stream().map(PhaseResult::name)).containsExactly(
                "collect-batch r1", "envelope r1", "envelope-batch r1", "collect-single r1", "collect-batch-errors r1",
                "collect-batch-errors r2", "collect-single r2", "envelope-batch r2", "envelope r2", "collect-batch r2");
        assertThat(stub.singleRequests.get()).isEqualTo(2 * 100);
        assertThat(stub.envelopeRequests.get()).isEqualTo(2 * (100 + 100 / 5));
        // every Sentry event id unique, and each envelope header repeats its first event's id
        assertThat(stub.sentryEventItems.get()).isEqualTo(400);
        assertThat(stub.sentryEventIds).hasSize(400);
        assertThat(storeWaits.get()).isEqualTo(10);

        EnvelopeComparison.Summary summary = result.summary();
        assertThat(summary.eventsPerPhase()).isEqualTo(100);
        assertThat(summary.storedEndToEnd()).isTrue();
        assertThat(summary.measurements()).hasSize(10).allSatisfy(m -> {
            assertThat(m.storeSeconds()).isEqualTo(0.01);
            assertThat(m.eventsPerSecond()).isCloseTo(100 / (m.seconds() + 0.01), within(1e-6));
        });
        assertThat(summary.variants()).extracting(EnvelopeComparison.VariantDescription::eventsPerRequest).containsExactly(5, 1, 5, 1, 5);
        assertThat(summary.ratios()).allSatisfy(ratio -> assertThat(ratio.perRound()).hasSize(2));
        assertThat(summary.toMarkdown()).contains("| envelope | `/api/7/envelope/` | 1 |", "| envelope / collect-batch |",
                "100 events per phase, 2 rounds");
    }

    @Test
    void warmupRunsEveryVariant_theBatchBaselineLast() throws Exception {
        PhaseRunner runner = runner(1, "envw");
        List<EnvelopeComparison.Load> loads = loadsOfBatchesOf5(runner);

        EnvelopeComparison.Result result = new EnvelopeComparison(runner, loads, 1, 5, 1, Duration.ofMillis(200), null, null,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run();

        assertThat(result.phases().stream().map(PhaseResult::name).limit(5))
                .containsExactly("warmup envelope", "warmup envelope-batch", "warmup collect-single", "warmup collect-batch-errors",
                        "warmup collect-batch");
        assertThat(result.phases().subList(0, 5)).allSatisfy(phase -> assertThat(phase.acceptedEvents()).isPositive());
        assertThat(result.summary().storedEndToEnd()).isFalse();
        assertThat(result.summary().measurements()).allSatisfy(m -> assertThat(m.storeSeconds()).isNull());
    }
}
