package dev.traceflow.http;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Framework errors get API.md's shape too, and the trace id of the answer is in the log. */
@ExtendWith(OutputCaptureExtension.class)
class ErrorShapeTest extends ServerTest {

    private static void assertShape(TestHttp.Response r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().path("code").asString()).isEqualTo(code);
        assertThat(r.json().path("message").asString()).isNotBlank();
        assertThat(r.json().path("details").isArray()).isTrue();
        assertThat(r.json().path("traceId").asString()).hasSize(32).isEqualTo(r.header("X-Trace-Id"));
        assertThat(r.body()).doesNotContain("Exception", "at org.", "at dev.");
    }

    @Test
    void unknownRoute_is404InTheErrorShape() {
        assertShape(http.get("/no/such/route", dev.traceflow.support.TestAuth.bearer(auth.admin())), 404, "NOT_FOUND");
    }

    @Test
    void wrongMethod_is405WithAllow() {
        TestHttp.Response r = http.get("/api/collect/batch");
        assertShape(r, 405, "METHOD_NOT_ALLOWED");
        assertThat(r.header("Allow")).contains("POST");
    }

    @Test
    void wrongContentType_is415() {
        assertShape(http.post("/api/collect", "<a/>", "Content-Type", "application/xml", "X-TraceFlow-Key", DEMO_KEY),
                415, "UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    void malformedJson_is400() {
        assertShape(http.post("/api/collect/batch", "{\"events\": [", "Content-Type", "application/json", "X-TraceFlow-Key", DEMO_KEY),
                400, "MALFORMED_BODY");
    }

    @Test
    void errorTraceId_appearsInTheLogLine(CapturedOutput output) {
        TestHttp.Response r = http.get("/missing-for-log");
        String traceId = r.json().path("traceId").asString();
        assertThat(output.getOut()).contains(traceId);
    }

    @Test
    void incomingTraceparent_isContinued() {
        TestHttp.Response r = http.get("/nope", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(r.json().path("traceId").asString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void badTraceparent_getsAFreshId() {
        TestHttp.Response r = http.get("/nope", "traceparent", "00-zzzz-00f067aa0ba902b7-01");
        assertThat(r.json().path("traceId").asString()).hasSize(32).isNotEqualTo("zzzz");
    }

    @Test
    void undecodableUri_rejectedByTomcat_is400InTheErrorShape(CapturedOutput output) throws IOException {
        String response = rawRequest("GET /api/collect%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertContainerErrorShape(response, 400, output);
    }

    @Test
    void requestLineOverTheHeaderLimit_rejectedByTomcat_is400InTheErrorShape(CapturedOutput output) throws IOException {
        String longPath = "/" + "a".repeat(20_000);
        String response = rawRequest("GET " + longPath + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertContainerErrorShape(response, 400, output);
        assertThat(output.getOut()).doesNotContain("a".repeat(1_000));
    }

    /** Tomcat refuses these before any servlet runs, so they need a raw socket: no HTTP client sends them. */
    private String rawRequest(String request) throws IOException {
        URI base = URI.create(http.base());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertContainerErrorShape(String response, int status, CapturedOutput output) {
        assertThat(response).startsWith("HTTP/1.1 " + status);
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertThat(head).contains("content-type: application/json");
        assertThat(response).doesNotContain("<html", "Tomcat");
        var json = TestHttp.JSON.readTree(response.substring(response.indexOf('{'), response.lastIndexOf('}') + 1));
        assertThat(json.path("code").asString()).isEqualTo("BAD_REQUEST");
        assertThat(json.path("message").asString()).isNotBlank();
        assertThat(json.path("details").isArray()).isTrue();
        String traceId = json.path("traceId").asString();
        assertThat(traceId).hasSize(32);
        assertThat(head).contains("x-trace-id: " + traceId);
        assertThat(output.getOut()).contains(traceId);
    }
}
