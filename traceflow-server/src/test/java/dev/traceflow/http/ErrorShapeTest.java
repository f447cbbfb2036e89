package dev.traceflow.http;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

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
}
