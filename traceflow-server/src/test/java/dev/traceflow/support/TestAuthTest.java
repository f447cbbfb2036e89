package dev.traceflow.support;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin token tests share is renewed before the server would refuse it: a full run outlasts its 15 minutes. */
class TestAuthTest extends ServerTest {

    private int me(String token) {
        return http.get("/api/users/me", TestAuth.bearer(token)).status();
    }

    @Test
    void admin_logsInAgain_onceTheCachedTokenWouldExpireOnTheServersClock() {
        String first = auth.admin();
        assertThat(auth.admin()).as("cached while it has time left").isEqualTo(first);

        // past the token's 15 minutes and the server's 30 s of tolerated clock skew, however new it was
        CLOCK.advance(Duration.ofMinutes(16));

        assertThat(me(first)).as("the server refuses the old token now").isEqualTo(401);
        String renewed = auth.admin();
        assertThat(renewed).isNotEqualTo(first);
        assertThat(me(renewed)).isEqualTo(200);
    }
}
