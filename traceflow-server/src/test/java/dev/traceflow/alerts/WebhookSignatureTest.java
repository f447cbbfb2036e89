package dev.traceflow.alerts;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookSignatureTest {

    private static final String SECRET = "whsec_test_secret";
    private static final byte[] BODY = "{\"rule\":\"checkout errors\",\"state\":\"firing\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant T = Instant.ofEpochSecond(1_700_000_000L);
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    /**
     * The value README's receiver snippets check against, computed independently:
     * {@code printf '%s' '1700000000.{"rule":"checkout errors","state":"firing"}' | openssl dgst -sha256 -hmac 'whsec_test_secret'}
     */
    @Test
    void sign_matchesOpenssl() {
        assertThat(WebhookSignature.sign(SECRET, 1_700_000_000L, BODY))
                .isEqualTo("t=1700000000,v1=d48db68b94e12be197f37fb1bafc84942a2c851b349ef327c3493aee32c0756d");
    }

    @Test
    void verify_acceptsItsOwnSignature_withinTheTolerance() {
        String header = WebhookSignature.sign(SECRET, T.getEpochSecond(), BODY);
        assertThat(WebhookSignature.verify(SECRET, header, BODY, T, FIVE_MINUTES)).isTrue();
        assertThat(WebhookSignature.verify(SECRET, header, BODY, T.plus(FIVE_MINUTES), FIVE_MINUTES)).isTrue();
        assertThat(WebhookSignature.verify(SECRET, header, BODY, T.minus(FIVE_MINUTES), FIVE_MINUTES)).as("sender's clock ahead").isTrue();
    }

    @Test
    void verify_refusesAnythingElse() {
        String header = WebhookSignature.sign(SECRET, T.getEpochSecond(), BODY);
        byte[] otherBody = "{\"rule\":\"checkout errors\",\"state\":\"resolved\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSignature.verify(SECRET, header, otherBody, T, FIVE_MINUTES)).as("body changed").isFalse();
        assertThat(WebhookSignature.verify("other", header, BODY, T, FIVE_MINUTES)).as("other secret").isFalse();
        assertThat(WebhookSignature.verify(SECRET, header, BODY, T.plus(FIVE_MINUTES).plusSeconds(1), FIVE_MINUTES))
                .as("replayed later").isFalse();
        String newerT = header.replace("t=1700000000", "t=1700000100");
        assertThat(WebhookSignature.verify(SECRET, newerT, BODY, T, FIVE_MINUTES)).as("timestamp changed").isFalse();
        for (String bad : new String[]{null, "", "t=,v1=", "v1=abc", "t=1700000000", "t=-5,v1=00", "t=1e9,v1=00", "garbage"}) {
            assertThat(WebhookSignature.verify(SECRET, bad, BODY, T, FIVE_MINUTES)).as(String.valueOf(bad)).isFalse();
        }
        assertThat(WebhookSignature.verify(SECRET, "t=1700000000,v1=" + "a".repeat(2000), BODY, T, FIVE_MINUTES)).isFalse();
    }

    @Test
    void verify_acceptsAnyOfSeveralV1Entries() {
        String header = WebhookSignature.sign(SECRET, T.getEpochSecond(), BODY);
        String withOldKey = "t=1700000000,v1=" + "0".repeat(64) + "," + header.substring(header.indexOf("v1="));
        assertThat(WebhookSignature.verify(SECRET, withOldKey, BODY, T, FIVE_MINUTES)).isTrue();
    }

    @Test
    void anEmptySecret_isRefused() {
        assertThatThrownBy(() -> WebhookSignature.sign("", 1, BODY)).isInstanceOf(IllegalArgumentException.class);
        assertThat(WebhookSignature.verify("", "t=1,v1=00", BODY, T, FIVE_MINUTES)).isFalse();
    }
}
