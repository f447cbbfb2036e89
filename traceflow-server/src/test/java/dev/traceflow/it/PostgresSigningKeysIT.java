package dev.traceflow.it;

import com.nimbusds.jwt.SignedJWT;
import dev.traceflow.TraceFlowApplication;
import dev.traceflow.support.PostgresSchema;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two server instances on one PostgreSQL (own schema, same master key, own data dirs): a key
 * rotated on one signs on the other after its periodic re-read, and a key revoked on one stops
 * verifying there at once and on the other at its next re-read.
 */
class PostgresSigningKeysIT {

    static final PostgresSchema DB = new PostgresSchema("traceflow_keys_it_");
    static final String MASTER_KEY = Base64.getEncoder().encodeToString(new byte[32]);
    static ConfigurableApplicationContext one;
    static ConfigurableApplicationContext two;

    @BeforeAll
    static void twoInstances() throws Exception {
        one = start();
        two = start();
    }

    private static ConfigurableApplicationContext start() throws Exception {
        Path dir = Files.createTempDirectory(DB.name + "-");
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", "0");
        p.put("traceflow.data-dir", dir.toString());
        p.put("traceflow.storage.duckdb.file", dir.resolve("events.duckdb").toString());
        p.put("spring.datasource.url", PostgresSchema.URL + (PostgresSchema.URL.contains("?") ? "&" : "?") + "currentSchema=" + DB.name);
        p.put("spring.datasource.username", PostgresSchema.USER);
        p.put("spring.datasource.password", "");
        p.put("spring.flyway.schemas", DB.name);
        p.put("traceflow.auth.master-key", MASTER_KEY);
        p.put("traceflow.auth.signing-key-reload", "2s");
        p.put("traceflow.bootstrap.ingest-key", "pg-keys-it-demo-key");
        p.put("traceflow.bootstrap.admin-password", ServerTest.ADMIN_PASSWORD);
        p.put("traceflow.auth.bcrypt-strength", "4");
        p.put("traceflow.http.trusted-proxies", "127.0.0.1/32,::1/128");
        // as command-line arguments: builder properties are defaults, below application.yml's own
        return new SpringApplicationBuilder(TraceFlowApplication.class)
                .run(p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    @AfterAll
    static void stop() throws Exception {
        if (two != null) {
            two.close();
        }
        if (one != null) {
            one.close();
        }
        DB.drop();
    }

    private static TestHttp http(ConfigurableApplicationContext instance) {
        return new TestHttp("http://127.0.0.1:" + instance.getEnvironment().getProperty("local.server.port"));
    }

    private static String kid(String token) throws Exception {
        return SignedJWT.parse(token).getHeader().getKeyID();
    }

    private static void within(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @Test
    void rotationAndRevocation_reachTheOtherInstance() throws Exception {
        TestHttp onOne = http(one);
        TestHttp onTwo = http(two);
        String first = new TestAuth(onOne).login("admin", ServerTest.ADMIN_PASSWORD);
        assertThat(onTwo.get("/api/users/me", bearer(first)).status()).as("one key for both").isEqualTo(200);

        TestHttp.Response rotated = onOne.post("/api/auth/signing-keys/rotate", "", bearer(first));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(201);
        String newKid = rotated.json().path("kid").asString();
        within(Duration.ofSeconds(20), () -> {
            try {
                return kid(new TestAuth(onTwo).login("admin", ServerTest.ADMIN_PASSWORD)).equals(newKid);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "instance two signs with the key instance one made");

        String oldKid = kid(first);
        String second = new TestAuth(onOne).login("admin", ServerTest.ADMIN_PASSWORD);
        assertThat(onTwo.get("/api/users/me", bearer(first)).status()).as("the retired key still verifies").isEqualTo(200);
        TestHttp.Response revoked = onOne.post("/api/auth/signing-keys/" + oldKid + "/revoke", "", bearer(second));
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
        assertThat(onOne.get("/api/users/me", bearer(first)).status()).as("at once where revoked").isEqualTo(401);
        within(Duration.ofSeconds(20), () -> onTwo.get("/api/users/me", bearer(first)).status() == 401,
                "instance two stops accepting the revoked key's tokens");
        assertThat(onTwo.get("/api/users/me", bearer(second)).status()).as("the new key's tokens").isEqualTo(200);
    }
}
