package dev.traceflow.ops;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** A Prometheus server scrapes with TRACEFLOW_METRICS_TOKEN, which opens the metrics and nothing else. */
class MetricsScrapeTest extends ServerTest {

    @Test
    void theScrapeToken_readsTheMetrics() {
        TestHttp.Response r = http.get("/actuator/prometheus", bearer(METRICS_TOKEN));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body()).contains("traceflow_ingest_buffered_bytes")
                // the DuckDB backend's own meters, wired by its auto-configuration
                .containsPattern("traceflow_storage_session_cache_days_formed_total\\{[^}]*by=\"refresh\"")
                .contains("traceflow_storage_session_cache_refresh_seconds_count");
        assertThat(http.get("/actuator/prometheus", bearer(auth.admin())).status()).as("an admin still can").isEqualTo(200);
    }

    @Test
    void theScrapeToken_opensNothingElse_andAWrongOneNothingAtAll() {
        assertThat(http.get("/api/users", bearer(METRICS_TOKEN)).status()).isEqualTo(401);
        assertThat(http.get("/api/apps", bearer(METRICS_TOKEN)).status()).isEqualTo(401);
        assertThat(http.get("/actuator/prometheus", bearer(METRICS_TOKEN + "x")).status()).isEqualTo(401);
        assertThat(http.get("/actuator/prometheus").status()).isEqualTo(401);
    }
}
