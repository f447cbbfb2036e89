package dev.traceflow.storage.duckdb;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DuckDbPropertiesTest {

    private static DuckDbProperties threads(Integer threads) {
        return new DuckDbProperties(null, threads, null, null, null, null, null, null);
    }

    @Test
    void zeroThreads_meansHalfTheCoresButAtLeastOne() {
        assertThat(threads(0).effectiveThreads(1)).isEqualTo(1);
        assertThat(threads(0).effectiveThreads(2)).isEqualTo(1);
        assertThat(threads(0).effectiveThreads(3)).isEqualTo(1);
        assertThat(threads(0).effectiveThreads(8)).isEqualTo(4);
        assertThat(threads(null).effectiveThreads(16)).as("unset is 0").isEqualTo(8);
    }

    @Test
    void anExplicitThreadCount_isKept() {
        assertThat(threads(3).effectiveThreads(2)).isEqualTo(3);
    }

    @Test
    void unsetSettings_getTheDefaults() {
        DuckDbProperties defaults = new DuckDbProperties(null, null, null, null, null, null, null, null);

        assertThat(defaults.memoryLimit()).isEqualTo("2GB");
        assertThat(defaults.dedupCapacity()).isEqualTo(1_000_000);
        assertThat(defaults.checkpointThreshold()).isEqualTo("64MB");
        assertThat(defaults.rowGroupSize()).isEqualTo(30_720);
        assertThat(defaults.compaction()).as("closed days are compacted unless turned off").isTrue();
        assertThat(defaults.compactionDelay()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.file()).as("<data-dir>/events.duckdb, resolved by the auto-configuration").isNull();
    }

    @Test
    void nonsense_isRefused() {
        assertThatThrownBy(() -> threads(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DuckDbProperties(null, null, null, 0, null, null, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DuckDbProperties(null, null, null, null, null, null, true, Duration.ofMinutes(-1)))
                .hasMessageContaining("compaction-delay");
    }
}
