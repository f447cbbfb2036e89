package dev.traceflow.support;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logs in and sets up people and apps over HTTP for tests. Every login comes from its own
 * client IP (X-Forwarded-For, trusted from loopback), so the per-IP login limit never trips
 * tests that are not about it.
 */
public final class TestAuth {

    private static final ConcurrentHashMap<String, String> ADMIN_TOKENS = new ConcurrentHashMap<>();

    private final TestHttp http;

    public TestAuth(TestHttp http) {
        this.http = http;
    }

    public static String randomIp() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(250));
    }

    /** An access token of the bootstrap admin (cached: valid for 15 minutes). */
    public String admin() {
        return ADMIN_TOKENS.computeIfAbsent(http.base(), b -> login("admin", ServerTest.ADMIN_PASSWORD));
    }

    public TestHttp.Response loginResponse(String username, String password) {
        return http.post("/auth/login", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}",
                "Content-Type", "application/json", "X-Forwarded-For", randomIp());
    }

    public String login(String username, String password) {
        TestHttp.Response r = loginResponse(username, password);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("accessToken").asString();
    }

    /** A fresh user name (users persist in the shared test server). */
    public static String uniqueName(String prefix) {
        return prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    /** Creates a user and returns their id. */
    public String createUser(String username, String password, boolean admin) {
        TestHttp.Response r = http.post("/api/users", "{\"username\":\"" + username + "\",\"password\":\"" + password
                + "\",\"admin\":" + admin + "}", "Content-Type", "application/json", "Authorization", "Bearer " + admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("id").asString();
    }

    /** Creates a user and returns a token of theirs. */
    public String newUserToken(String username) {
        createUser(username, "password-" + username, false);
        return login(username, "password-" + username);
    }

    public void createApp(String appId) {
        TestHttp.Response r = http.post("/api/apps", "{\"id\":\"" + appId + "\",\"name\":\"" + appId + "\",\"allowedOrigins\":[\"*\"]}",
                "Content-Type", "application/json", "Authorization", "Bearer " + admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    public void grant(String appId, String username, String role) {
        TestHttp.Response r = http.send("PUT", "/api/apps/" + appId + "/members/" + username,
                ("{\"role\":\"" + role + "\"}").getBytes(), "Content-Type", "application/json", "Authorization", "Bearer " + admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    /** Creates an ingest key for the app and returns it. */
    public String createKey(String appId) {
        TestHttp.Response r = http.post("/api/apps/" + appId + "/keys", "", "Authorization", "Bearer " + admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("key").asString();
    }

    public static String[] bearer(String token) {
        return new String[] {"Authorization", "Bearer " + token};
    }
}
