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
    void noArrivals_waitOnlyTheLinger() {
        assertThat(policy.gatherUntil(10 * SECOND)).isEqualTo(10 * SECOND + LINGER.toNanos());

        policy.loaded(0, 2 * SECOND);
        assertThat(policy.gatherUntil(10 * SECOND)).isEqualTo(10 * SECOND + LINGER.toNanos());
    }

    @Test
    void slowArrivals_waitLittleMoreThanTheLinger() {
        policy.loaded(3_072, 10 * SECOND); // 307.2 events/s: a hundredth of the 30,720/s that fill a batch in 1 s

        assertThat(policy.gatherUntil(10 * SECOND)).as("100 ms + 900 ms / 100")
                .isEqualTo(10 * SECOND + 109_000_000L);
    }

    @Test
    void theWait_growsWithTheArrivalRate_withoutAJump() {
        long previous = policy.gatherUntil(0);
        for (int rate = 1_000; rate <= 40_000; rate += 1_000) {
            BatchingPolicy atRate = new BatchingPolicy(200_000, 30_720, LINGER, MAX_DELAY, 0);
            atRate.loaded(rate, SECOND);
            long until = atRate.gatherUntil(0);
            assertThat(until).as("at %d events/s", rate).isGreaterThanOrEqualTo(previous)
                    .isLessThanOrEqualTo(previous + 30_000_000L) // 1,000 events/s more: at most 900 ms / 30.72 longer
                    .isLessThanOrEqualTo(MAX_DELAY.toNanos());
            previous = until;
        }
        assertThat(previous).isEqualTo(MAX_DELAY.toNanos());
    }

    @Test
    void halfTheBatchFillingRate_waitsHalfWayToTheMaxDelay() {
        policy.loaded(15_360, SECOND);

        assertThat(policy.gatherUntil(0)).isEqualTo(LINGER.toNanos() + (MAX_DELAY.toNanos() - LINGER.toNanos()) / 2);
    }

    @Test
    void arrivalsFastEnoughToFillABatchWithinTheMaxDelay_waitForIt() {
        policy.loaded(40_000, SECOND); // 40,000 events/s fill 30,720 in 0.77 s

        assertThat(policy.arrivalRate()).isEqualTo(40_000);
        assertThat(policy.gatherUntil(5 * SECOND)).isEqualTo(5 * SECOND + MAX_DELAY.toNanos());
    }

    @Test
    void aMaxDelayShorterThanTheLinger_isStillTheLongestWait() {
        BatchingPolicy hurried = new BatchingPolicy(200_000, 30_720, LINGER, Duration.ofMillis(40), 0);

        assertThat(hurried.gatherUntil(0)).isEqualTo(40_000_000L);
        hurried.loaded(10_000, SECOND);
        assertThat(hurried.gatherUntil(0)).isEqualTo(40_000_000L);
        BatchingPolicy noWait = new BatchingPolicy(200_000, 30_720, LINGER, Duration.ZERO, 0);
        assertThat(noWait.gatherUntil(7)).isEqualTo(7);
    }

    @Test
    void arrivalRate_isMeasuredOverAtLeastASecondIdleTimeIncluded() {
        policy.loaded(40_000, SECOND / 2); // half a second: not yet a window
        assertThat(policy.arrivalRate()).isZero();

        policy.loaded(0, 4 * SECOND); // the burst, then a quiet spell: 10,000/s over 4 s
        assertThat(policy.arrivalRate()).isEqualTo(10_000);
        assertThat(policy.gatherUntil(4 * SECOND)).as("a burst after quiet waits as for 10,000/s, not for 80,000/s")
                .isEqualTo(4 * SECOND + LINGER.toNanos() + Math.round(900_000_000L * 10_000 / 30_720.0));
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
     * about a second every few seconds beside the answers (README "DuckDB checkpoints"); and just
     * under the rate that fills a row group within the max delay, a commit every 100 ms cost each
     * event 2-3x the CPU (README "Transaction size").
     */
    @Test
    void serverDefaults_waitForWholeRowGroupsFromAboutTenThousandEventsPerSecond() {
        TraceFlowProperties.Journal journal = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("traceflow.storage.journal", TraceFlowProperties.Journal.class);
        BatchingPolicy defaults = new BatchingPolicy(200_000, 30_720, journal.loadLinger(), journal.loadMaxDelay(), 0);
        assertThat(journal.loadLinger()).isEqualTo(Duration.ofMillis(100));
        assertThat(journal.loadMaxDelay()).isEqualTo(Duration.ofSeconds(3));

        defaults.loaded(12_000, SECOND);
        assertThat(defaults.gatherUntil(2 * SECOND)).as("12,000 events/s fill a row group in 2.6 s")
                .isEqualTo(2 * SECOND + journal.loadMaxDelay().toNanos());
        defaults.loaded(9_728, 2 * SECOND);
        assertThat(defaults.gatherUntil(3 * SECOND)).as("9,728 events/s, 95 %% of 10,240: 0.1 s + 0.95 x 2.9 s")
                .isEqualTo(3 * SECOND + 2_855_000_000L);
        defaults.loaded(1_024, 3 * SECOND);
        assertThat(defaults.gatherUntil(4 * SECOND)).as("1,024 events/s: 0.1 s + 0.1 x 2.9 s")
                .isEqualTo(4 * SECOND + 390_000_000L);
    }
}
