package dev.traceflow.http;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 18 item 10: a mistyped path is a 404, not a 401 that sends people looking for a wrong key. */
class UnknownPathTest extends ServerTest {

    @Test
    void mistypedIngestPaths_answer404_withOrWithoutAKey() {
        TestHttp.Response typo = http.post("/api/colect", "{}", "X-TraceFlow-Key", DEMO_KEY, "Content-Type", "application/json");
        TestHttp.Response longer = http.post("/api/collect/batches", "{}", "Content-Type", "application/json");

        assertThat(typo.status()).as("%s", typo).isEqualTo(404);
        assertThat(typo.json().path("code").asString()).isEqualTo("NOT_FOUND");
        assertThat(longer.status()).as("%s", longer).isEqualTo(404);
    }

    @Test
    void unknownReadPaths_answer404_butKnownOnesStillNeedAToken() {
        assertThat(http.get("/api/erors?appId=demo").status()).isEqualTo(404);
        assertThat(http.get("/api/errors?appId=demo").status()).isEqualTo(401);
        assertThat(http.get("/api/errors/123").status()).isEqualTo(401);
        assertThat(http.get("/actuator/prometheus").status()).isEqualTo(401);
        assertThat(http.get("/audits").status()).isEqualTo(401);
    }

    /** The admin routes refuse a user who is no admin (403), except where nothing would answer anyway (404). */
    @Test
    void unknownAdminPaths_answer404_toAUserWhoIsNoAdmin_butKnownOnesRefuseThem() {
        String user = auth.newUserToken(TestAuth.uniqueName("plain"));

        assertThat(http.get("/api/users/x/y/z", bearer(user)).status()).isEqualTo(404);
        assertThat(http.get("/api/auth/nothing-here", bearer(user)).status()).isEqualTo(404);
        assertThat(http.get("/api/users", bearer(user)).status()).isEqualTo(403);
        assertThat(http.get("/actuator/prometheus", bearer(user)).status()).isEqualTo(403);
        assertThat(http.get("/api/users/me", bearer(user)).status()).isEqualTo(200);
    }
}
