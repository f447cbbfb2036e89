package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Brute force against one account from many IPs, and many attempts from one IP, are throttled (429 + Retry-After, audited). */
class LoginThrottleTest extends ServerTest {

    @Autowired
    JdbcClient jdbc;

    private TestHttp.Response attempt(String username, String password, String ip) {
        return http.post("/auth/login", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}",
                "Content-Type", "application/json", "X-Forwarded-For", ip);
    }

    @Test
    void bruteForceFromManyIps_againstOneAccount_isThrottled() {
        String name = TestAuth.uniqueName("victim");
        auth.createUser(name, "password-" + name, false);
        for (int i = 0; i < 10; i++) { // the per-account failure budget (default 10 per 15 minutes)
            assertThat(attempt(name, "guess-" + i, TestAuth.randomIp()).status()).isEqualTo(401);
        }
        TestHttp.Response throttled = attempt(name, "guess-x", TestAuth.randomIp());
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.json().path("code").asString()).isEqualTo("RATE_LIMITED");
        assertThat(Integer.parseInt(throttled.header("Retry-After"))).isPositive();
        // while throttled even the right password is not checked, from any IP
        assertThat(attempt(name, "password-" + name, TestAuth.randomIp()).status()).isEqualTo(429);
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action = 'auth.login_throttled' AND actor_name = ?")
                .param(name).query(Long.class).single()).isEqualTo(1); // once a minute, not once per attempt
        // other accounts are not affected
        String other = TestAuth.uniqueName("bystander");
        auth.createUser(other, "password-" + other, false);
        assertThat(attempt(other, "password-" + other, TestAuth.randomIp()).status()).isEqualTo(200);
    }

    @Test
    void manyAttemptsFromOneIp_areThrottled() {
        String ip = TestAuth.randomIp();
        int refused = 0;
        for (int i = 0; i < 31; i++) { // 30 per minute per IP by default, whatever the usernames
            TestHttp.Response r = attempt(TestAuth.uniqueName("spray"), "whatever-pass", ip);
            if (r.status() == 429) {
                refused++;
                assertThat(r.header("Retry-After")).isNotNull();
            }
        }
        assertThat(refused).isEqualTo(1);
        assertThat(attempt(TestAuth.uniqueName("spray"), "whatever-pass", TestAuth.randomIp()).status())
                .as("another IP is not affected").isEqualTo(401);
    }
}
