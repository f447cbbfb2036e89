package dev.traceflow.http;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 18 item 9: a misspelt field or query parameter is refused by name, never silently ignored. */
class UnknownInputTest extends ServerTest {

    @Test
    void managementBody_withAnUnknownField_is400NamingIt_andNothingIsStored() {
        String admin = auth.admin();
        String id = TestAuth.uniqueName("typo");

        TestHttp.Response r = http.post("/api/apps", "{\"id\":\"" + id + "\",\"name\":\"Shop\",\"allowedOrigin\":[\"https://a.test\"]}",
                "Content-Type", "application/json", "Authorization", "Bearer " + admin);

        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.json().path("code").asString()).isEqualTo("MALFORMED_BODY");
        assertThat(r.json().path("message").asString()).contains("'allowedOrigin'").contains("allowedOrigins");
        assertThat(r.json().path("details").path(0).path("field").asString()).isEqualTo("allowedOrigin");
        assertThat(http.get("/api/apps/" + id, bearer(admin)).status()).isEqualTo(404);
    }

    @Test
    void listEndpoint_withAnUnknownQueryParameter_is400NamingIt() {
        String admin = auth.admin();

        TestHttp.Response audits = http.get("/audits?appid=demo", bearer(admin));
        TestHttp.Response apps = http.get("/api/apps?limit=5", bearer(admin));

        assertThat(audits.status()).as("%s", audits).isEqualTo(400);
        assertThat(audits.json().path("code").asString()).isEqualTo("INVALID_PARAMETER");
        assertThat(audits.json().path("message").asString()).contains("'appid'").contains("appId");
        assertThat(apps.status()).as("%s", apps).isEqualTo(400);
        assertThat(apps.json().path("message").asString()).contains("takes no query parameters");
    }

    @Test
    void knownQueryParameters_stillWork() {
        String admin = auth.admin();

        assertThat(http.get("/audits?appId=demo&limit=5", bearer(admin)).status()).isEqualTo(200);
    }
}
