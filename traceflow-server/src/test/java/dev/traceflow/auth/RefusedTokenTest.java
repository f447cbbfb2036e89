package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;


import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18 item 10: a refused token says so (RFC 6750). The expired case is in {@code JwtAttackTest},
 * which signs a token that expired long ago instead of moving the shared test clock.
 */
class RefusedTokenTest extends ServerTest {

    @Test
    void garbledToken_isAnInvalidToken_andNoTokenAtAll_isAPlainChallenge() {
        TestHttp.Response garbled = http.get("/api/users/me", bearer("not-a-jwt"));
        TestHttp.Response none = http.get("/api/users/me");

        assertThat(garbled.status()).isEqualTo(401);
        assertThat(garbled.header("WWW-Authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
    }
}
