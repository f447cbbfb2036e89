package dev.traceflow;

import dev.traceflow.apps.AppDirectory;
import dev.traceflow.support.ServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every event's outcome reaches the metadata table ingest_outcomes (flushed every few seconds). */
class IngestOutcomesPersistenceTest extends ServerTest {

    @Autowired
    AppDirectory apps;

    @Autowired
    JdbcClient jdbc;

    @Test
    void outcomes_arePersistedByAppAndReason() {
        apps.create("outcomes-app", "Outcomes", 90, Set.of("*"));
        apps.addKey("outcomes-app", "outcomes-key");
        long now = System.currentTimeMillis();
        String body = "[{\"appId\":\"outcomes-app\",\"type\":\"pageview\",\"timestamp\":" + now + ",\"eventId\":\"o1\"},"
                + "{\"appId\":\"outcomes-app\",\"type\":\"pageview\",\"timestamp\":" + now + ",\"eventId\":\"o1\"},"
                + "{\"appId\":\"outcomes-app\",\"type\":\"nope\",\"timestamp\":" + now + "},"
                + "{\"appId\":\"outcomes-app\",\"type\":\"pageview\",\"timestamp\":" + now
                + ",\"userAgent\":\"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\"}]";
        var answer = http.post("/api/collect/batch", body, "Content-Type", "application/json", "X-TraceFlow-Key", "outcomes-key");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
        assertThat(answer.json().path("accepted").asInt()).as(answer.toString()).isEqualTo(2);

        // flushed every 5 s: a wide margin over that on a busy machine
        Map<String, Long> expected = Map.of("accepted", 1L, "duplicate", 1L, "invalid", 1L, "bot", 1L);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(persisted()).isEqualTo(expected));
    }

    private Map<String, Long> persisted() {
        Map<String, Long> byOutcome = new TreeMap<>();
        jdbc.sql("SELECT outcome, SUM(events) FROM ingest_outcomes WHERE app_id = 'outcomes-app' GROUP BY outcome")
                .query(rs -> {
                    byOutcome.put(rs.getString(1), rs.getLong(2));
                });
        return byOutcome;
    }
}
