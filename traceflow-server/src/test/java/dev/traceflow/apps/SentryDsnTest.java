package dev.traceflow.apps;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.Set;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 23, item 1: every app has a Sentry project number, and a new key comes with its DSN. */
class SentryDsnTest extends ServerTest {

    /** sentry-javascript's DSN pattern (packages/core/src/utils/dsn.ts): a DSN it does not match is refused. */
    private static final String SDK_DSN_PATTERN = "^(?:(\\w+):)//(?:(\\w+)(?::(\\w+)?)?@)([\\w.-]+)(?::(\\d+))?/(.+)";

    @Test
    void newApps_getDistinctPositiveProjectNumbers_shownInTheirView() {
        String a = TestAuth.uniqueName("dsna");
        String b = TestAuth.uniqueName("dsnb");
        auth.createApp(a);
        auth.createApp(b);

        long first = http.get("/api/apps/" + a, bearer(auth.admin())).json().path("sentryProjectId").asLong();
        long second = http.get("/api/apps/" + b, bearer(auth.admin())).json().path("sentryProjectId").asLong();

        assertThat(first).isPositive();
        assertThat(second).isPositive().isNotEqualTo(first);
    }

    @Test
    void aNewKey_isAnsweredWithItsDsn_whichTheSdksAccept() {
        String appId = TestAuth.uniqueName("dsnk");
        auth.createApp(appId);
        long project = http.get("/api/apps/" + appId, bearer(auth.admin())).json().path("sentryProjectId").asLong();

        TestHttp.Response created = http.post("/api/apps/" + appId + "/keys", "", "Authorization", "Bearer " + auth.admin());

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String key = created.json().path("key").asString();
        String dsn = created.json().path("dsn").asString();
        assertThat(dsn).isEqualTo("http://" + key + "@127.0.0.1:" + port + "/" + project);
        assertThat(dsn).matches(SDK_DSN_PATTERN);
    }

    @Test
    void generatedKeys_holdOnlyWhatADsnMayHold() {
        for (int i = 0; i < 200; i++) {
            String key = IngestKeys.generate();
            assertThat(key).matches("tfk_[0-9a-z]{50}");
            assertThat(IngestKeys.fitsInDsn(key)).isTrue();
        }
        assertThat(IngestKeys.fitsInDsn("my-first-ingest-key")).as("a hyphen breaks the SDKs' DSN pattern").isFalse();
    }

    @Test
    void theDsn_keepsAPathPrefixAndPort_andIsNullForAKeyTheSdksWouldRefuse() {
        App app = new App("shop", "Shop", 90, Set.of(), 0, Instant.EPOCH, 42);

        assertThat(app.sentryDsn("tfk_abc", URI.create("https://tf.example.com:8443/traceflow/")))
                .isEqualTo("https://tfk_abc@tf.example.com:8443/traceflow/42");
        assertThat(app.sentryDsn("tfk_abc", URI.create("https://tf.example.com"))).isEqualTo("https://tfk_abc@tf.example.com/42");
        assertThat(app.sentryDsn("my-first-ingest-key", URI.create("https://tf.example.com"))).isNull();
    }
}
