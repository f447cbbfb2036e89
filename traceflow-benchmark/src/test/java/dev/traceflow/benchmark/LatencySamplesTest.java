package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatencySamplesTest {

    @Test
    void percentilesOfTwentyAreNearestRank() {
        LatencySamples samples = new LatencySamples();
        // 20 samples 1..20 ms, added out of order
        for (int i = 20; i >= 1; i--) {
            samples.add(i);
        }
        assertThat(samples.percentile(50)).isEqualTo(10); // rank ceil(0.5 * 20) = 10
        assertThat(samples.percentile(95)).isEqualTo(19); // rank ceil(0.95 * 20) = 19, not 20
        assertThat(samples.percentile(100)).isEqualTo(20);
        assertThat(samples.max()).isEqualTo(20);
        assertThat(samples.percentile(1)).isEqualTo(1);
    }

    @Test
    void oneSlowQueryInTwentyStaysOutOfP95TwoDoNot() {
        LatencySamples one = new LatencySamples();
        LatencySamples two = new LatencySamples();
        for (int i = 0; i < 20; i++) {
            one.add(i == 7 ? 5_000 : 50);
            two.add(i == 7 || i == 12 ? 5_000 : 50);
        }
        assertThat(one.percentile(95)).isEqualTo(50);
        assertThat(two.percentile(95)).isEqualTo(5_000);
    }

    @Test
    void oddCountsAndASingleSample() {
        LatencySamples samples = new LatencySamples();
        samples.add(3.5);
        assertThat(samples.percentile(50)).isEqualTo(3.5);
        assertThat(samples.percentile(95)).isEqualTo(3.5);
        samples.add(1);
        samples.add(2);
        assertThat(samples.percentile(50)).isEqualTo(2); // rank ceil(1.5) = 2 of 3
    }

    @Test
    void refusesWhatHasNoMeaning() {
        LatencySamples samples = new LatencySamples();
        assertThatThrownBy(() -> samples.percentile(50)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> samples.add(-1)).isInstanceOf(IllegalArgumentException.class);
        samples.add(1);
        assertThatThrownBy(() -> samples.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> samples.percentile(101)).isInstanceOf(IllegalArgumentException.class);
    }
}
