package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The read / admin API allows cross-origin calls from the configured origins only, with credentials, never with '*'. */
class ApiCorsTest extends ServerTest {

    private TestHttp.Response preflight(String origin) {
        return http.send("OPTIONS", "/api/apps", null, "Origin", origin, "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "authorization");
    }

    @Test
    void configuredOrigin_isAllowedWithCredentials() {
        TestHttp.Response r = preflight(DASHBOARD_ORIGIN);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(DASHBOARD_ORIGIN);
        assertThat(r.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        TestHttp.Response login = http.send("OPTIONS", "/auth/refresh", null, "Origin", DASHBOARD_ORIGIN,
                "Access-Control-Request-Method", "POST");
        assertThat(login.header("Access-Control-Allow-Origin")).isEqualTo(DASHBOARD_ORIGIN);
    }

    @Test
    void otherOrigin_isRefusedInTheErrorShape() {
        TestHttp.Response r = preflight("https://evil.example");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
        assertThat(r.json().path("code").asString()).isEqualTo("ORIGIN_NOT_ALLOWED");
        TestHttp.Response real = http.get("/api/apps", "Origin", "https://evil.example", "Authorization", "Bearer " + auth.admin());
        assertThat(real.status()).isEqualTo(403);
    }
}
