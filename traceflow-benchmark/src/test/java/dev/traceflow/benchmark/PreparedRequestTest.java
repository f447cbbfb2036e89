package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
}
