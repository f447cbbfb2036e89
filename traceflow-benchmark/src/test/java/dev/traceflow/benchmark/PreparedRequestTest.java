package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreparedRequestTest {

    @Test
    void encodesRequestLineHeadersAndExactContentLength() {
        BatchTemplate template = BatchTemplates.generate(3, 1, 1, System.currentTimeMillis()).getFirst();

        PreparedRequest request = PreparedRequest.post(template, "/api/collect/batch", "127.0.0.1:8080", "secret");
        String text = new String(request.bytes(), StandardCharsets.UTF_8);

        assertThat(text).startsWith("POST /api/collect/batch HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")
                .contains("\r\nContent-Type: application/json\r\n")
                .contains("\r\nX-TraceFlow-Key: secret\r\n")
                .contains("\r\nUser-Agent: " + template.userAgent() + "\r\n")
                .contains("\r\nContent-Length: " + template.body().length + "\r\n\r\n");
        assertThat(text.substring(text.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.UTF_8)).isEqualTo(template.body());
        assertThat(request.eventCount()).isEqualTo(3);
    }

    @Test
    void anotherEndpointsRequestCarriesItsOwnContentTypeAndHeadersAndNoIngestKey() {
        BatchTemplate template = EnvelopeTemplates.generate(1, 1, 1, System.currentTimeMillis(), "dsnkey").getFirst();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Sentry-Auth", "Sentry sentry_key=dsnkey, sentry_version=7");

        PreparedRequest request = PreparedRequest.post(template, "/api/3/envelope/?sentry_key=dsnkey", "h:1",
                "text/plain;charset=UTF-8", headers);
        String text = new String(request.bytes(), StandardCharsets.UTF_8);

        assertThat(text).startsWith("POST /api/3/envelope/?sentry_key=dsnkey HTTP/1.1\r\nHost: h:1\r\n")
                .contains("\r\nContent-Type: text/plain;charset=UTF-8\r\n")
                .contains("\r\nX-Sentry-Auth: Sentry sentry_key=dsnkey, sentry_version=7\r\n")
                .doesNotContain("X-TraceFlow-Key")
                .contains("\r\nContent-Length: " + template.body().length + "\r\n\r\n");
        int bodyStart = text.indexOf("\r\n\r\n") + 4;
        assertThat(request.eventIdOffsets()).containsExactly(template.eventIdOffsets()[0] + bodyStart);
        assertThat(request.echoOffsets()).containsExactly(template.echoOffsets()[0] + bodyStart);
    }
}
