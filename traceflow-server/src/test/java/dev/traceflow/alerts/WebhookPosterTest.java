package dev.traceflow.alerts;

import org.apache.hc.core5.http.message.BasicHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookPosterTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
            "200, DELIVERED", "201, DELIVERED", "202, DELIVERED", "204, DELIVERED", "299, DELIVERED",
            "301, FINAL", "302, FINAL", "307, FINAL", "308, FINAL",
            "400, FINAL", "401, FINAL", "403, FINAL", "404, FINAL", "410, FINAL", "413, FINAL", "422, FINAL",
            "408, RETRY", "429, RETRY", "500, RETRY", "502, RETRY", "503, RETRY", "504, RETRY", "599, RETRY"})
    void statuses_areJudged(int status, AttemptOutcome.Kind kind) {
        assertThat(WebhookPoster.judge(status, null, NOW).kind()).isEqualTo(kind);
    }

    @Test
    void retryAfter_isRead_asSecondsOrADate_on429And503() {
        assertThat(WebhookPoster.judge(429, new BasicHeader("Retry-After", "7"), NOW).retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(WebhookPoster.judge(503, new BasicHeader("Retry-After", "Sun, 01 Mar 2026 12:02:00 GMT"), NOW).retryAfter())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(WebhookPoster.judge(503, new BasicHeader("Retry-After", "Sun, 01 Mar 2026 11:00:00 GMT"), NOW).retryAfter())
                .isEqualTo(Duration.ZERO);
        assertThat(WebhookPoster.judge(429, new BasicHeader("Retry-After", "soon"), NOW).retryAfter()).isNull();
        assertThat(WebhookPoster.judge(500, new BasicHeader("Retry-After", "7"), NOW).retryAfter()).isNull();
    }
}
