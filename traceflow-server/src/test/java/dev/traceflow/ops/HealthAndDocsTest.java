package dev.traceflow.ops;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HealthAndDocsTest extends ServerTest {

    /** The ingest paths bypass Spring Security on purpose: its per-path start-up warning is turned off, nothing else. */
    @Test
    void logging_silencesOnlyTheIgnoredPathsWarning() {
        assertThat(org.slf4j.LoggerFactory.getLogger(
                "org.springframework.security.config.annotation.web.builders.WebSecurity").isWarnEnabled()).isFalse();
        assertThat(org.slf4j.LoggerFactory.getLogger("org.springframework.security.web.FilterChainProxy").isWarnEnabled()).isTrue();
    }

    @Test
    void healthz_answersOk() {
        TestHttp.Response r = http.get("/healthz");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asString()).isEqualTo("ok");
    }

    @Test
    void health_checksStorageAndMetadata() {
        TestHttp.Response r = http.get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("components").path("storage").path("status").asString()).isEqualTo("ok");
        assertThat(r.json().path("components").path("storage").path("backend").asString()).isEqualTo("duckdb");
        assertThat(r.json().path("components").path("metadata").path("status").asString()).isEqualTo("ok");
    }

    @Test
    void prometheus_exposesQueueAndIngestMetrics() {
        http.post("/api/collect", "{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":" + System.currentTimeMillis() + "}",
                "X-TraceFlow-Key", DEMO_KEY, "Content-Type", "application/json");
        awaitStored(); // the commit timer and the "accepted" outcome are recorded when the loader stores the event
        TestHttp.Response r = http.get("/actuator/prometheus", dev.traceflow.support.TestAuth.bearer(auth.admin()));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("traceflow_storage_queue_events", "traceflow_ingest_events_total",
                "traceflow_storage_commit_seconds", "traceflow_pipeline_processor_seconds");
    }

    @Test
    void openapi_documentsEveryIngestEndpoint() {
        TestHttp.Response r = http.get("/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("paths").propertyNames()).contains("/api/collect", "/api/collect/batch",
                "/api/telemetry/batch", "/api/perf/batch", "/api/event", "/api/event/schema.proto", "/healthz", "/health");
        assertThat(r.json().path("paths").has("/bench/noop")).isFalse();
    }

    /** The ingest endpoints write their 202 themselves; the document must still say what it holds. */
    @Test
    void openapi_describesTheIngestAnswer() {
        var doc = http.get("/openapi.json").json();
        for (String path : new String[]{"/api/collect", "/api/collect/batch", "/api/telemetry/batch", "/api/perf/batch", "/api/event"}) {
            var accepted = doc.path("paths").path(path).path("post").path("responses").path("202");
            assertThat(accepted.path("content").path("application/json").path("schema").path("$ref").asString()).as(path)
                    .endsWith("/IngestResponse");
            assertThat(doc.path("paths").path(path).path("post").path("responses").has("200")).as(path + " answers 202, never 200")
                    .isFalse();
        }
        assertThat(doc.path("components").path("schemas").path("IngestResponse").path("properties").propertyNames())
                .contains("accepted", "rejected", "errors");
    }

    /** The README's "decisions where API.md is silent" are in the document too. */
    @Test
    void openapi_statesTheRequiredFieldsOfApiEvents() {
        var paths = http.get("/openapi.json").json().path("paths");
        for (String path : new String[]{"/api/collect", "/api/collect/batch"}) {
            assertThat(paths.path(path).path("post").path("description").asString()).as(path)
                    .contains("`properties.url` and `properties.duration`");
        }
        assertThat(paths.path("/api/telemetry/batch").path("post").path("description").asString()).contains("`props.duration`");
    }

    @Test
    void openapi_declaresBearerAuthAndTheRoleOfEachProtectedOperation() {
        var doc = http.get("/openapi.json").json();
        assertThat(doc.path("components").path("securitySchemes").path("BearerAuth").path("scheme").asString()).isEqualTo("bearer");
        assertThat(doc.path("components").path("securitySchemes").path("BearerAuth").path("bearerFormat").asString()).isEqualTo("JWT");
        assertThat(doc.path("components").path("securitySchemes").has("IngestKey")).isTrue();
        String[][] operations = {{"/api/users", "get"}, {"/api/users", "post"}, {"/api/apps", "post"}, {"/api/apps/{appId}", "patch"},
                {"/api/apps/{appId}/keys", "post"}, {"/audits", "get"}, {"/api/ingest/stats", "get"}};
        for (String[] op : operations) {
            var operation = doc.path("paths").path(op[0]).path(op[1]);
            assertThat(operation.path("security").get(0).has("BearerAuth")).as(op[1] + " " + op[0]).isTrue();
            assertThat(operation.path("description").asString()).as(op[1] + " " + op[0]).containsPattern("Role: (admin|owner|viewer)");
        }
        assertThat(doc.path("paths").path("/api/collect").path("post").path("security").get(0).has("IngestKey")).isTrue();
        assertThat(doc.path("paths").path("/auth/login").path("post").has("security")).isFalse();
    }

    @Test
    void docs_redirectsToSwaggerUi() {
        TestHttp.Response docs = http.get("/docs");
        assertThat(docs.status()).isEqualTo(302);
        TestHttp.Response r = http.get(docs.header("Location"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).containsIgnoringCase("swagger");
    }
}
