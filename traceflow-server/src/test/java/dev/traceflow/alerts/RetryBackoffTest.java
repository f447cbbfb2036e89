package dev.traceflow.alerts;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBackoffTest {

    private final RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(10), Duration.ofMinutes(10));

    @Test
    void theWaitDoubles_withUpToHalfTakenOffAtRandom() {
        assertThat(backoff.delay(1, null, 0.0)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.delay(1, null, 0.999999)).isBetween(Duration.ofMillis(9_999), Duration.ofSeconds(10));
        assertThat(backoff.delay(2, null, 0.0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.delay(3, null, 0.5)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(5, null, 0.0)).isEqualTo(Duration.ofSeconds(80));
    }

    @Test
    void theWait_isCapped_evenAfterManyAttempts() {
        assertThat(backoff.delay(7, null, 0.999999)).isBetween(Duration.ofMinutes(10).minusMillis(1), Duration.ofMinutes(10));
        assertThat(backoff.delay(7, null, 0.0)).isEqualTo(Duration.ofMinutes(5));
        assertThat(backoff.delay(1000, null, 0.0)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void retryAfter_isHonoured_upToTheCap() {
        assertThat(backoff.delay(1, Duration.ofSeconds(90), 0.0)).isEqualTo(Duration.ofSeconds(90));
        assertThat(backoff.delay(1, Duration.ofSeconds(1), 0.0)).as("never sooner than the backoff").isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.delay(1, Duration.ofHours(2), 0.0)).isEqualTo(Duration.ofMinutes(10));
    }
}
