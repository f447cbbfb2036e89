package dev.traceflow.ingest;

import dev.traceflow.apps.App;
import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The bucket arithmetic of per-app ingest limits, on a clock moved by hand. */
class IngestRateLimitsTest {

    private long nanos;
    private final IngestRateLimits limits = new IngestRateLimits(new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    });

    private static App app(String id, int eventsPerSecond) {
        return new App(id, id, 90, Set.of("*"), eventsPerSecond, Instant.EPOCH, 1);
    }

    private void advance(long millis) {
        nanos += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void noLimit_neverRefuses() {
        App app = app("free", 0);
        for (int i = 0; i < 1000; i++) {
            assertThat(limits.take(app, 1000)).isEmpty();
        }
    }

    @Test
    void tenSecondsWorthPassesAtOnce_thenTheRateRefills_gradually() {
        App app = app("shop", 100);

        assertThat(limits.take(app, 1000)).isEmpty();
        assertThat(limits.take(app, 1)).isEqualTo(OptionalLong.of(1)); // 10 ms to one token, rounded up to 1 s

        advance(10);
        assertThat(limits.take(app, 1)).as("one token after 10 ms at 100/s").isEmpty();
        assertThat(limits.take(app, 1)).isPresent();

        advance(500);
        assertThat(limits.take(app, 60)).as("50 tokens are not enough for 60").isEqualTo(OptionalLong.of(1));
        assertThat(limits.take(app, 50)).as("a refused request took nothing").isEmpty();
    }

    @Test
    void retryAfter_isTheWholeSecondsUntilTheRequestWouldPass() {
        App app = app("shop", 100);
        assertThat(limits.take(app, 1000)).isEmpty();

        assertThat(limits.take(app, 1000)).isEqualTo(OptionalLong.of(10));
        assertThat(limits.take(app, 250)).isEqualTo(OptionalLong.of(3)); // 2.5 s, rounded up

        advance(2500);
        assertThat(limits.take(app, 250)).isEmpty();
    }

    @Test
    void appsHaveTheirOwnBuckets_andAChangedLimitStartsAFullBucketOfTheNewSize() {
        assertThat(limits.take(app("a", 100), 1000)).isEmpty();
        assertThat(limits.take(app("b", 100), 1000)).as("b is not a's").isEmpty();
        assertThat(limits.take(app("a", 100), 10)).isPresent();

        assertThat(limits.take(app("a", 300), 3000)).as("the new limit's full bucket").isEmpty();
        assertThat(limits.take(app("a", 300), 10)).isPresent();
    }
}
