package dev.traceflow.auth;

import com.nimbusds.jwt.SignedJWT;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** An admin revokes a signing key that may have leaked: every token it signed stops working at once. */
class SigningKeyRevokeTest extends ServerTest {

    @Test
    void revokingTheSigningKey_endsItsTokens_andOnlyAnAdminMay() throws Exception {
        String name = TestAuth.uniqueName("holder");
        String userToken = auth.newUserToken(name);
        String kid = SignedJWT.parse(userToken).getHeader().getKeyID();
        assertThat(http.get("/api/users/me", bearer(userToken)).status()).isEqualTo(200);
        assertThat(http.post("/api/auth/signing-keys/" + kid + "/revoke", "", bearer(userToken)).status()).isEqualTo(403);

        String admin = auth.login("admin", ADMIN_PASSWORD); // signed by the same key: ends with it
        TestHttp.Response revoked = http.post("/api/auth/signing-keys/" + kid + "/revoke", "", bearer(admin));
        TestAuth.forgetCachedTokens(); // the shared server's cached admin token was signed by it too
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
        assertThat(http.get("/api/users/me", bearer(userToken)).status()).isEqualTo(401);
        assertThat(http.get("/api/users/me", bearer(admin)).status()).isEqualTo(401);

        String fresh = auth.login(name, "password-" + name);
        assertThat(SignedJWT.parse(fresh).getHeader().getKeyID()).isNotEqualTo(kid);
        assertThat(http.get("/api/users/me", bearer(fresh)).status()).isEqualTo(200);
        assertThat(http.post("/api/auth/signing-keys/nope/revoke", "", bearer(auth.login("admin", ADMIN_PASSWORD))).status())
                .isEqualTo(404);
    }
}
