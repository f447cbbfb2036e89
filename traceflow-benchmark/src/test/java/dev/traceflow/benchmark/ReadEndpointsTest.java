package dev.traceflow.benchmark;

import dev.traceflow.storage.tests.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

class ReadEndpointsTest {

    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

    /**
     * The warm-up pass asks each variation's session with a range ending 37 s earlier per pass: a
     * session of the range's last seconds was a 404 there (the 10M run of 2026-12-06 03:04 UTC).
     */
    @Test
    void sessionIds_pickASessionThatStartsBeforeTheMargin_soEveryWarmUpRangeHoldsIt() {
        try (InMemoryStorage storage = new InMemoryStorage()) {
            storage.consumer().accept(List.of(
                    pageview("shop-1", NOW.minus(Duration.ofHours(2)), "/").session("older").build(),
                    pageview("shop-1", NOW.minusSeconds(10), "/").session("newest").build()));
            List<QueryVariation> first = QueryVariations.of(1, List.of("shop-1"), NOW);

            Map<Integer, String> unshifted = ReadEndpoints.sessionIds(storage, first, Duration.ZERO);
            Map<Integer, String> shifted = ReadEndpoints.sessionIds(storage, first, QueryBenchmark.WARMUP_SHIFT);

            assertThat(unshifted).containsEntry(0, "newest");
            assertThat(shifted).containsEntry(0, "older");
            QueryVariation warmUp = QueryVariations.of(1, List.of("shop-1"), NOW.minus(QueryBenchmark.WARMUP_SHIFT)).getFirst();
            assertThat(storage.sessions().session(warmUp.query(false), shifted.get(0))).isPresent();
        }
    }
}
