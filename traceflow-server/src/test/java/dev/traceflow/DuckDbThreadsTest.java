package dev.traceflow;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DuckDbThreadsTest {

    private static TraceFlowProperties.DuckDb duck(int threads) {
        return new TraceFlowProperties.DuckDb(Path.of("e.duckdb"), threads, "1GB", 10, "16MB", 30720);
    }

    @Test
    void zeroMeansHalfTheCoresButAtLeastOne() {
        int expected = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        assertThat(duck(0).effectiveThreads()).isEqualTo(expected).isPositive();
    }

    @Test
    void anExplicitCountIsKept() {
        assertThat(duck(3).effectiveThreads()).isEqualTo(3);
    }
}
