package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.List;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** No answer ever carries a password hash, a key or token hash, or a private key. */
class NoSecretsInResponsesTest extends ServerTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void adminAndReadAnswers_carryNoHashesOrPrivateKeys() {
        String app = TestAuth.uniqueName("secrets");
        auth.createApp(app);
        auth.createKey(app);
        auth.newUserToken(TestAuth.uniqueName("secretuser"));
        http.post("/api/auth/signing-keys/rotate", "", bearer(auth.admin()));

        List<String> forbidden = new ArrayList<>();
        forbidden.addAll(jdbc.sql("SELECT password_hash FROM users").query(String.class).list());
        forbidden.addAll(jdbc.sql("SELECT key_hash FROM ingest_keys").query(String.class).list());
        forbidden.addAll(jdbc.sql("SELECT token_hash FROM refresh_tokens").query(String.class).list());
        forbidden.addAll(jdbc.sql("SELECT private_key_enc FROM signing_keys").query(String.class).list());

        String admin = auth.admin();
        List<TestHttp.Response> answers = List.of(
                http.get("/api/users", bearer(admin)),
                http.get("/api/users/me", bearer(admin)),
                http.get("/api/apps", bearer(admin)),
                http.get("/api/apps/" + app, bearer(admin)),
                http.get("/api/apps/" + app + "/keys", bearer(admin)),
                http.get("/api/apps/" + app + "/members", bearer(admin)),
                http.get("/audits?limit=200", bearer(admin)),
                http.get("/api/auth/signing-keys", bearer(admin)),
                http.get("/.well-known/jwks.json"),
                http.get("/openapi.json"));
        for (TestHttp.Response r : answers) {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.body()).doesNotContain("{bcrypt}", "$2a$", "$2b$", "passwordHash", "password_hash", "keyHash", "PRIVATE KEY");
            for (String secret : forbidden) {
                assertThat(r.body()).doesNotContain(secret);
            }
        }
        // the JWKS holds public RSA parameters only (no d, p, q, dp, dq, qi)
        http.get("/.well-known/jwks.json").json().path("keys").forEach(k -> {
            assertThat(k.path("kty").asString()).isEqualTo("RSA");
            assertThat(k.has("d") || k.has("p") || k.has("q") || k.has("dp") || k.has("dq") || k.has("qi")).isFalse();
        });
    }

    @Test
    void signingKeys_areStoredEncrypted() {
        for (String sealed : jdbc.sql("SELECT private_key_enc FROM signing_keys").query(String.class).list()) {
            assertThat(sealed).doesNotStartWith("MII").doesNotContain("PRIVATE");
        }
    }
}
