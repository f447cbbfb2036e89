package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "At least one enabled admin" holds when two admins demote (or disable) each other at the same
 * moment. A server of its own with exactly two admins: the shared test server's bootstrap admin
 * must stay one for the other tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LastAdminConcurrencyTest {

    @DynamicPropertySource
    static void ownServer(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("traceflow-last-admin-");
        registry.add("traceflow.data-dir", dir::toString);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("metadata"));
        registry.add("traceflow.bootstrap.admin-password", () -> ServerTest.ADMIN_PASSWORD);
        registry.add("traceflow.auth.bcrypt-strength", () -> "4");
        registry.add("traceflow.http.trusted-proxies", () -> "127.0.0.1/32"); // logins stand for many clients
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    void twoAdminsDemotingEachOtherAtOnce_leaveOneEnabledAdmin() throws Exception {
        TestHttp http = new TestHttp("http://127.0.0.1:" + port);
        TestAuth auth = new TestAuth(http);
        String other = TestAuth.uniqueName("second-admin");
        auth.createUser(other, "password-" + other, true);
        String[] names = {"admin", other};
        String[] passwords = {ServerTest.ADMIN_PASSWORD, "password-" + other};
        for (int round = 0; round < 10; round++) {
            String[] ids = new String[2];
            String[] tokens = new String[2];
            for (int i = 0; i < 2; i++) {
                tokens[i] = auth.login(names[i], passwords[i]);
                ids[i] = jdbc.sql("SELECT id FROM users WHERE username = ?").param(names[i]).query(String.class).single();
            }
            String change = round % 2 == 0 ? "{\"admin\":false}" : "{\"enabled\":false}";
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<CompletableFuture<TestHttp.Response>> answers = List.of(0, 1).stream().map(i ->
                        CompletableFuture.supplyAsync(() -> {
                            await(start);
                            return http.send("PATCH", "/api/users/" + ids[1 - i], change.getBytes(),
                                    "Content-Type", "application/json", "Authorization", "Bearer " + tokens[i]);
                        }, threads)).toList();
                start.countDown();
                for (CompletableFuture<TestHttp.Response> answer : answers) {
                    assertThat(answer.get().status()).as(answer.get().toString()).isIn(200, 401, 403, 409);
                }
            }
            long enabledAdmins = jdbc.sql("SELECT count(*) FROM users WHERE admin AND enabled").query(Long.class).single();
            assertThat(enabledAdmins).as("round " + round).isEqualTo(1);
            // the one still admin puts the other back for the next round
            int survivor = jdbc.sql("SELECT admin AND enabled FROM users WHERE id = ?").param(ids[0]).query(Boolean.class).single() ? 0 : 1;
            TestHttp.Response back = http.send("PATCH", "/api/users/" + ids[1 - survivor], "{\"admin\":true,\"enabled\":true}".getBytes(),
                    "Content-Type", "application/json", "Authorization", "Bearer " + auth.login(names[survivor], passwords[survivor]));
            assertThat(back.status()).as(back.toString()).isEqualTo(200);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
