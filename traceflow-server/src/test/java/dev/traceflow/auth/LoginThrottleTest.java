package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brute force against one account from many IPs, and many attempts from one IP, are throttled
 * (429 + Retry-After, audited) until the window gives an attempt back. The server's clock is held
 * still and moved by hand: how long the attempts take on a busy machine changes nothing.
 */
class LoginThrottleTest extends ServerTest {

    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void holdTheClock() {
        CLOCK.hold();
    }

    @AfterEach
    void releaseTheClock() {
        CLOCK.release();
    }

    private TestHttp.Response attempt(String username, String password, String ip) {
        return http.post("/auth/login", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}",
                "Content-Type", "application/json", "X-Forwarded-For", ip);
    }

    @Test
    void bruteForceFromManyIps_againstOneAccount_isThrottled_untilTheWindowGivesAnAttemptBack() {
        String name = TestAuth.uniqueName("victim");
        auth.createUser(name, "password-" + name, false);
        for (int i = 0; i < 10; i++) { // the per-account failure budget (default 10 per 15 minutes)
            assertThat(attempt(name, "guess-" + i, TestAuth.randomIp()).status()).isEqualTo(401);
        }
        TestHttp.Response throttled = attempt(name, "guess-x", TestAuth.randomIp());
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.json().path("code").asString()).isEqualTo("RATE_LIMITED");
        int retryAfter = Integer.parseInt(throttled.header("Retry-After"));
        assertThat(retryAfter).as("one failure back every 90 s (10 per 15 minutes)").isBetween(90, 91);
        // while throttled even the right password is not checked, from any IP
        assertThat(attempt(name, "password-" + name, TestAuth.randomIp()).status()).isEqualTo(429);
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action = 'auth.login_throttled' AND actor_name = ?")
                .param(name).query(Long.class).single()).isEqualTo(1); // once a minute, not once per attempt
        // other accounts are not affected
        String other = TestAuth.uniqueName("bystander");
        auth.createUser(other, "password-" + other, false);
        assertThat(attempt(other, "password-" + other, TestAuth.randomIp()).status()).isEqualTo(200);

        CLOCK.advance(Duration.ofSeconds(retryAfter));
        assertThat(attempt(name, "password-" + name, TestAuth.randomIp()).status()).as("after Retry-After").isEqualTo(200);
    }

    @Test
    void manyAttemptsFromOneIp_areThrottled_untilTheWindowGivesAnAttemptBack() {
        String ip = TestAuth.randomIp();
        for (int i = 0; i < 30; i++) { // 30 per minute per IP by default, whatever the usernames
            assertThat(attempt(TestAuth.uniqueName("spray"), "whatever-pass", ip).status()).as("attempt " + i).isEqualTo(401);
        }
        TestHttp.Response refused = attempt(TestAuth.uniqueName("spray"), "whatever-pass", ip);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(Integer.parseInt(refused.header("Retry-After"))).as("one attempt back every 2 s").isBetween(2, 3);
        assertThat(attempt(TestAuth.uniqueName("spray"), "whatever-pass", TestAuth.randomIp()).status())
                .as("another IP is not affected").isEqualTo(401);

        CLOCK.advance(Duration.ofSeconds(2));
        assertThat(attempt(TestAuth.uniqueName("spray"), "whatever-pass", ip).status()).as("one attempt back").isEqualTo(401);
        assertThat(attempt(TestAuth.uniqueName("spray"), "whatever-pass", ip).status()).as("and only one").isEqualTo(429);
    }

    /** One IPv6 subscriber holds a whole /64: its addresses share one per-IP budget. */
    @Test
    void ipv6Clients_areCountedBy64() {
        for (int i = 0; i < 30; i++) {
            assertThat(attempt(TestAuth.uniqueName("v6"), "whatever-pass", "2001:db8:77:1::" + Integer.toHexString(i + 1)).status())
                    .as("attempt " + i).isEqualTo(401);
        }
        assertThat(attempt(TestAuth.uniqueName("v6"), "whatever-pass", "2001:db8:77:1:ffff:ffff:ffff:ffff").status())
                .as("another address of the same /64").isEqualTo(429);
        assertThat(attempt(TestAuth.uniqueName("v6"), "whatever-pass", "2001:db8:77:2::1").status())
                .as("the next /64").isEqualTo(401);
    }
}
