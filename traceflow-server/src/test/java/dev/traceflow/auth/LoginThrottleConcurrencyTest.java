package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parallel guesses cannot slip past the per-account limit: an attempt is charged before the
 * password is checked (and given back when it was right), so 300 guesses sent at once get no more
 * password checks than the limit allows. The clock is held: no attempt comes back meanwhile. The
 * victims' hashes are made slow (bcrypt 10, where the test server uses 4) so the guesses overlap
 * in the password check, as they do on a real server.
 */
class LoginThrottleConcurrencyTest extends ServerTest {

    private static final int FAILURES_PER_ACCOUNT = 10; // the default, traceflow.auth.login-failures-per-account

    @Autowired
    JdbcClient jdbc;

    /** A user whose password takes a production-like time to check. */
    private String slowUser(String prefix) {
        String name = TestAuth.uniqueName(prefix);
        auth.createUser(name, "password-" + name, false);
        jdbc.sql("UPDATE users SET password_hash = ? WHERE username = ?")
                .param("{bcrypt}" + new BCryptPasswordEncoder(10).encode("password-" + name)).param(name).update();
        return name;
    }

    @BeforeEach
    void holdTheClock() {
        CLOCK.hold();
    }

    @AfterEach
    void releaseTheClock() {
        CLOCK.release();
    }

    @Test
    void concurrentWrongGuesses_fromManyIps_getAtMostTheAccountsPasswordChecks() throws Exception {
        String name = slowUser("besieged");
        List<String> ips = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ips.add("203.0.113." + (i + 1));
        }
        List<TestHttp.Response> answers = all(300, i -> http.post("/auth/login",
                "{\"username\":\"" + name + "\",\"password\":\"guess-" + i + "\"}",
                "Content-Type", "application/json", "X-Forwarded-For", ips.get(i % 30)));

        long checked = answers.stream().filter(r -> r.status() == 401).count();
        assertThat(checked).as("password checks").isLessThanOrEqualTo(FAILURES_PER_ACCOUNT);
        assertThat(answers).allSatisfy(r -> {
            assertThat(r.status()).as(r.toString()).isIn(401, 429);
            if (r.status() == 429) {
                assertThat(Integer.parseInt(r.header("Retry-After"))).isPositive();
            }
        });
    }

    @Test
    void concurrentWrongOldPasswords_getAtMostTheAccountsPasswordChecks() throws Exception {
        String name = slowUser("changer");
        String token = auth.login(name, "password-" + name);
        List<TestHttp.Response> answers = all(100, i -> http.post("/api/users/me/password",
                "{\"oldPassword\":\"guess-guess-" + i + "\",\"newPassword\":\"new-password-123\"}",
                "Content-Type", "application/json", "Authorization", "Bearer " + token));

        assertThat(answers.stream().filter(r -> r.status() == 403).count()).as("password checks")
                .isLessThanOrEqualTo(FAILURES_PER_ACCOUNT);
        assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isIn(403, 429));
    }

    @Test
    void aRightPassword_givesItsAttemptBack() {
        String name = TestAuth.uniqueName("careful");
        auth.createUser(name, "password-" + name, false);
        for (int i = 0; i < FAILURES_PER_ACCOUNT - 1; i++) {
            assertThat(auth.loginResponse(name, "guess-" + i).status()).isEqualTo(401);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(auth.loginResponse(name, "password-" + name).status()).as("login " + i).isEqualTo(200);
        }
        assertThat(auth.loginResponse(name, "guess-last").status()).as("the last failure left").isEqualTo(401);
        assertThat(auth.loginResponse(name, "password-" + name).status()).isEqualTo(429);
    }

    /** Sends {@code n} requests at once (each on its own thread, released together). */
    private static List<TestHttp.Response> all(int n, IntFunction<TestHttp.Response> request) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<TestHttp.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(threads.submit(() -> {
                    start.await();
                    return request.apply(index);
                }));
            }
            start.countDown();
            List<TestHttp.Response> answers = new ArrayList<>();
            for (Future<TestHttp.Response> f : futures) {
                answers.add(f.get());
            }
            return answers;
        }
    }
}
