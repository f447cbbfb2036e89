package dev.traceflow.retention;

import dev.traceflow.apps.AppDirectory;
import dev.traceflow.support.ServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionJobTest extends ServerTest {

    @Autowired
    AppDirectory apps;

    @Autowired
    RetentionJob retention;

    @Test
    void run_deletesEventsPastEachAppsRetentionOnly() {
        apps.create("retention-short", "Short", 1, Set.of("*"));
        apps.addKey("retention-short", "retention-short-key");
        apps.create("retention-long", "Long", 90, Set.of("*"));
        apps.addKey("retention-long", "retention-long-key");
        long twoDaysAgo = Instant.now().minus(Duration.ofDays(2)).toEpochMilli();
        long hourAgo = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        for (String app : new String[]{"retention-short", "retention-long"}) {
            var r = http.post("/api/collect/batch", "[{\"appId\":\"" + app + "\",\"type\":\"pageview\",\"timestamp\":" + twoDaysAgo + "},"
                            + "{\"appId\":\"" + app + "\",\"type\":\"pageview\",\"timestamp\":" + hourAgo + "}]",
                    "Content-Type", "application/json", "X-TraceFlow-Key", app + "-key");
            assertThat(r.json().path("accepted").asInt()).as(r.toString()).isEqualTo(2);
        }

        long deleted = retention.run();

        assertThat(deleted).isGreaterThanOrEqualTo(1);
        assertThat(storedCount("retention-short")).as("the 2-day-old event is past 1 day").isEqualTo(1);
        assertThat(storedCount("retention-long")).isEqualTo(2);
    }
}
