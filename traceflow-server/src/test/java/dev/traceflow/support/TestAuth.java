package dev.traceflow.support;

import com.nimbusds.jwt.JWTParser;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logs in and sets up people and apps over HTTP for tests. Every login comes from its own
 * client IP (X-Forwarded-For, believed from loopback, a trusted proxy in ServerTest), so the per-IP login limit never trips
 * tests that are not about it.
 */
public final class TestAuth {

    /** A cached token is replaced when it has less than this left: enough for the requests it is fetched for. */
    static final Duration EXPIRY_MARGIN = Duration.ofMinutes(2);

    private record Issued(String token, Instant expires) {
    }

    private static final ConcurrentHashMap<String, Issued> ADMIN_TOKENS = new ConcurrentHashMap<>();

    private final TestHttp http;
    private final Clock serverClock;

    /** For a server on the system clock. */
    public TestAuth(TestHttp http) {
        this(http, Clock.systemUTC());
    }

    /** @param serverClock the clock the server checks token expiry with */
    public TestAuth(TestHttp http, Clock serverClock) {
        this.http = http;
        this.serverClock = serverClock;
    }

    public static String randomIp() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(250));
    }

    /**
     * An access token of the bootstrap admin, cached per server; a new login once the cached one
     * would expire within {@link #EXPIRY_MARGIN} on the server's clock (a run of the whole suite
     * outlasts a token's 15 minutes, and tests move the clock).
     */
    public String admin() {
        return ADMIN_TOKENS.compute(http.base(), (base, cached) ->
                cached != null && cached.expires().minus(EXPIRY_MARGIN).isAfter(serverClock.instant())
                        ? cached : issued(login("admin", ServerTest.ADMIN_PASSWORD))).token();
    }

    /** Forgets the cached admin tokens: after a test revoked the key that signed them. */
    public static void forgetCachedTokens() {
        ADMIN_TOKENS.clear();
    }

    private static Issued issued(String token) {
        try {
            return new Issued(token, JWTParser.parse(token).getJWTClaimsSet().getExpirationTime().toInstant());
        } catch (ParseException e) {
            throw new AssertionError("the server issued an access token that is no JWT: " + token, e);
        }
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

    /**
     * Creates a user with a role on the app, for a client outside the JVM (a Node or browser test) that
     * signs in itself.
     *
     * @return {@code username} and {@code password}
     */
    public Map<String, String> createMember(String appId, String namePrefix, String role) {
        String name = uniqueName(namePrefix + "-" + role);
        createUser(name, "password-" + name, false);
        grant(appId, name, role);
        return Map.of("username", name, "password", "password-" + name);
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
