package dev.traceflow.storage.internal;

import dev.traceflow.TraceFlowProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The loader's batching decisions on a clock moved by hand (nanoseconds). */
class BatchingPolicyTest {

    private static final long SECOND = 1_000_000_000L;
    private static final Duration LINGER = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofSeconds(1);

    private final BatchingPolicy policy = new BatchingPolicy(200_000, 30_720, LINGER, MAX_DELAY, 0);

    @Test
    void slowArrivals_waitOnlyTheLinger() {
        policy.loaded(500, 2 * SECOND); // 250 events/s: a batch takes two minutes to fill

        assertThat(policy.gatherUntil(10 * SECOND)).isEqualTo(10 * SECOND + LINGER.toNanos());
    }

    @Test
    void arrivalsFastEnoughToFillABatchWithinTheMaxDelay_waitForIt() {
        policy.loaded(40_000, SECOND); // 40,000 events/s fill 30,720 in 0.77 s

        assertThat(policy.arrivalRate()).isEqualTo(40_000);
        assertThat(policy.gatherUntil(5 * SECOND)).isEqualTo(5 * SECOND + MAX_DELAY.toNanos());
    }

    @Test
    void arrivalRate_isMeasuredOverAtLeastASecondIdleTimeIncluded() {
        policy.loaded(40_000, SECOND / 2); // half a second: not yet a window
        assertThat(policy.arrivalRate()).isZero();

        policy.loaded(0, 4 * SECOND); // the burst, then a quiet spell: 10,000/s over 4 s
        assertThat(policy.arrivalRate()).isEqualTo(10_000);
        assertThat(policy.gatherUntil(4 * SECOND)).as("a burst after quiet does not switch to long waits")
                .isEqualTo(4 * SECOND + LINGER.toNanos());
    }

    @Test
    void cut_endsOnWholeBatchesWhenThereIsAtLeastOne() {
        assertThat(policy.cut(10)).as("less than a batch: all").isEqualTo(10);
        assertThat(policy.cut(30_720)).isEqualTo(30_720);
        assertThat(policy.cut(98_500)).as("three row groups, the rest waits").isEqualTo(92_160);
        assertThat(policy.cut(200_999)).as("never more than the max").isEqualTo(184_320);
    }

    @Test
    void isEnough_atABatch() {
        assertThat(policy.isEnough(30_719)).isFalse();
        assertThat(policy.isEnough(30_720)).isTrue();
    }

    @Test
    void noPreference_storesWhatIsThere() {
        BatchingPolicy any = new BatchingPolicy(1_000, 1, LINGER, MAX_DELAY, 0);

        assertThat(any.isEnough(1)).isTrue();
        assertThat(any.cut(999)).isEqualTo(999);
        assertThat(any.cut(1_500)).isEqualTo(1_000);
    }

    @Test
    void aBatchBiggerThanTheMax_raisesTheMax() {
        BatchingPolicy big = new BatchingPolicy(100, 2048, LINGER, MAX_DELAY, 0);

        assertThat(big.maxEvents()).isEqualTo(2048);
        assertThat(big.cut(5000)).isEqualTo(2048);
    }

    @Test
    void nonsense_isRefused() {
        assertThatThrownBy(() -> new BatchingPolicy(0, 1, LINGER, MAX_DELAY, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchingPolicy(1, 1, Duration.ofMillis(-1), MAX_DELAY, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The query benchmark's background ingest (half the maximum: 10-30k events/s on this machine)
     * committed through DuckDB's write-ahead log with the old 1 s default, paying a checkpoint of
     * about a second every few seconds beside the answers (README "DuckDB checkpoints").
     */
    @Test
    void serverDefaults_waitForWholeRowGroupsFromAboutTenThousandEventsPerSecond() {
        TraceFlowProperties.Journal journal = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("traceflow.storage.journal", TraceFlowProperties.Journal.class);
        BatchingPolicy defaults = new BatchingPolicy(200_000, 30_720, journal.loadLinger(), journal.loadMaxDelay(), 0);

        defaults.loaded(12_000, SECOND);
        assertThat(defaults.gatherUntil(2 * SECOND)).as("12,000 events/s fill a row group in 2.6 s")
                .isEqualTo(2 * SECOND + journal.loadMaxDelay().toNanos());
        defaults.loaded(8_000, 2 * SECOND);
        assertThat(defaults.gatherUntil(3 * SECOND)).as("8,000 events/s would take 3.8 s: only the linger")
                .isEqualTo(3 * SECOND + journal.loadLinger().toNanos());
    }
}
