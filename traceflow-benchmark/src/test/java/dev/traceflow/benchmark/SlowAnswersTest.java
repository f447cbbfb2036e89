package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Slow answers by the second their request was sent: where an ingest p99 comes from one stall, when it was. */
class SlowAnswersTest {

    private static final HttpResponse ACCEPTED = new HttpResponse(202, "{\"accepted\":50,\"rejected\":0}".getBytes(StandardCharsets.UTF_8),
            false, null);
    private static final long MS = 1_000_000L;

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void slowAnswersAreCountedBySecondSentOverAllConnections_fastOnesNot() {
        ConnectionStats a = new ConnectionStats();
        ConnectionStats b = new ConnectionStats();
        a.recordAnswer(ACCEPTED, 10 * MS, at("2026-12-06T14:52:40.100Z"));
        a.recordAnswer(ACCEPTED, ConnectionStats.SLOW_NANOS - 1, at("2026-12-06T14:52:40.200Z"));
        a.recordAnswer(ACCEPTED, ConnectionStats.SLOW_NANOS, at("2026-12-06T14:52:41.000Z"));
        a.recordAnswer(ACCEPTED, 900 * MS, at("2026-12-06T14:52:41.999Z"));
        b.recordAnswer(ACCEPTED, 1300 * MS, at("2026-12-06T14:52:41.500Z"));
        b.recordAnswer(ACCEPTED, 400 * MS, at("2026-12-06T14:52:43.000Z"));

        PhaseResult merged = PhaseResult.merge(LoadPhase.fixedRate("ingest-half", "/api/collect/batch", java.time.Duration.ofSeconds(5), 10),
                5_000_000_000L, List.of(a, b), 2);

        assertThat(merged.slowBySecond()).containsExactly(Map.entry("2026-12-06T14:52:41Z", 3L), Map.entry("2026-12-06T14:52:43Z", 1L));
        assertThat(merged.slowestSeconds(1)).isEqualTo("14:52:41Z 3");
        assertThat(merged.slowestSeconds(10)).isEqualTo("14:52:41Z 3, 14:52:43Z 1");
        assertThat(merged.requests()).isEqualTo(6);
    }

    @Test
    void aPhaseWithoutSlowAnswersHasNone() {
        ConnectionStats a = new ConnectionStats();
        a.recordAnswer(ACCEPTED, 5 * MS);
        PhaseResult merged = PhaseResult.merge(LoadPhase.closedLoop("max", "/api/collect/batch", java.time.Duration.ofSeconds(1)),
                1_000_000_000L, List.of(a), 1);
        assertThat(merged.slowBySecond()).isEmpty();
        assertThat(merged.slowestSeconds(10)).isEmpty();
    }

    @Test
    void pastItsBoundAConnectionKeepsCountingTheSecondsItHasButAddsNoNewOnes() {
        ConnectionStats a = new ConnectionStats();
        long start = at("2026-12-06T00:00:00Z");
        for (int i = 0; i < ConnectionStats.SLOW_SECONDS_KEPT + 5; i++) {
            a.recordAnswer(ACCEPTED, 300 * MS, start + i * 1000L);
        }
        a.recordAnswer(ACCEPTED, 300 * MS, start);
        assertThat(a.slowBySecond).hasSize(ConnectionStats.SLOW_SECONDS_KEPT);
        assertThat(a.slowBySecond.get(start / 1000)).isEqualTo(2L);
    }
}
