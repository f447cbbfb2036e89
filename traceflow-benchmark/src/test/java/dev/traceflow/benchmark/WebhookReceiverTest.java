package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebhookReceiverTest {

    private static final String SECRET = "whsec_test_secret";
    /** The server's WebhookSignatureTest vector: openssl dgst -sha256 -hmac over "t.body". */
    private static final String VECTOR_BODY = "{\"rule\":\"checkout errors\",\"state\":\"firing\"}";
    private static final String VECTOR_HEADER = "t=1700000000,v1=d48db68b94e12be197f37fb1bafc84942a2c851b349ef327c3493aee32c0756d";
    /** printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac 'whsec_test_secret' */
    private static final String TRIAL_BODY = "{\"incident\":{\"title\":\"New errors: new error AlertBenchqwertyNbaError\"}}";
    private static final String TRIAL_HEADER = "t=1700000000,v1=67a8adfee8653fe45efae79f8a588553c0f1593e67190a636777949deedfb367";

    @Test
    void verify_acceptsTheServersSignature_andAnyOfSeveralV1() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET, NewErrorGroupTrials.MARKER)) {
            byte[] body = VECTOR_BODY.getBytes(StandardCharsets.UTF_8);
            assertThat(receiver.verify(VECTOR_HEADER, body)).isTrue();
            assertThat(receiver.verify("t=1700000000,v1=" + "0".repeat(64) + "," + VECTOR_HEADER.substring(VECTOR_HEADER.indexOf("v1=")), body)).isTrue();
            assertThat(receiver.verify(VECTOR_HEADER, (VECTOR_BODY + " ").getBytes(StandardCharsets.UTF_8))).isFalse();
            assertThat(receiver.verify(VECTOR_HEADER.replace("t=1700000000", "t=1700000001"), body)).isFalse();
            assertThat(receiver.verify(null, body)).isFalse();
            assertThat(receiver.verify("v1=abc", body)).isFalse();
        }
    }

    @Test
    void await_answersTheFirstArrivalOfTheTrialTheBodyNames_withItsSignatureChecked() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET, NewErrorGroupTrials.MARKER);
             HttpClient client = HttpClient.newHttpClient()) {
            long before = System.nanoTime();
            assertThat(post(client, receiver, TRIAL_BODY, TRIAL_HEADER)).isEqualTo(200);
            assertThat(post(client, receiver, TRIAL_BODY, "t=1,v1=00")).isEqualTo(200);
            assertThat(post(client, receiver, VECTOR_BODY, VECTOR_HEADER)).isEqualTo(200);

            WebhookReceiver.Arrival arrival = receiver.await("AlertBenchqwertyNba", Duration.ofSeconds(5));
            assertThat(arrival).isNotNull();
            assertThat(arrival.signed()).isTrue();
            assertThat(arrival.nanos()).isGreaterThan(before);
            assertThat(receiver.await("AlertBenchqwertyNbb", Duration.ofMillis(50))).isNull();
            assertThat(receiver.received()).isEqualTo(3);
            assertThat(receiver.badSignatures()).isEqualTo(1);
            assertThat(receiver.unmatched()).isEqualTo(1);
        }
    }

    private static int post(HttpClient client, WebhookReceiver receiver, String body, String signature) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(receiver.url())).header("X-TraceFlow-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), BodyHandlers.discarding()).statusCode();
    }
}
