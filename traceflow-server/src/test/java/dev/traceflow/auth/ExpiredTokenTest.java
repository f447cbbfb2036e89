package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 18 item 10: an expired access token says so (RFC 6750), so a client refreshes instead of logging in. */
class ExpiredTokenTest extends ServerTest {

    @AfterEach
    void releaseClock() {
        CLOCK.release();
    }

    @Test
    void expiredToken_answers401WithInvalidTokenExpired() {
        CLOCK.hold();
        String token = auth.login("admin", ADMIN_PASSWORD);
        assertThat(http.get("/api/users/me", bearer(token)).status()).isEqualTo(200);

        CLOCK.advance(Duration.ofMinutes(20));
        TestHttp.Response r = http.get("/api/users/me", bearer(token));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer error=\"invalid_token\", error_description=\"expired\"");
        assertThat(r.json().path("code").asString()).isEqualTo("TOKEN_EXPIRED");
    }

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
