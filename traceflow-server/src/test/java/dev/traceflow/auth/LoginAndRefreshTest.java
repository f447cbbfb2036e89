package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /auth/login, /auth/refresh, /auth/logout: cookies, rotation, reuse detection, revocation. */
class LoginAndRefreshTest extends ServerTest {

    private static final String COOKIE = "__Host-traceflow_refresh";

    @Autowired
    JdbcClient jdbc;

    private TestHttp.Response login(String username, String password, boolean inBody) {
        return http.post("/auth/login", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\""
                + (inBody ? ",\"refreshTokenInBody\":true" : "") + "}", "Content-Type", "application/json",
                "X-Forwarded-For", TestAuth.randomIp());
    }

    private static String refreshCookie(TestHttp.Response r) {
        String setCookie = r.raw().headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(COOKIE + "=")).findFirst().orElseThrow();
        return setCookie.substring((COOKIE + "=").length(), setCookie.indexOf(';'));
    }

    private TestHttp.Response refreshWithCookie(String token) {
        return http.post("/auth/refresh", "", "Cookie", COOKIE + "=" + token);
    }

    private String newUser(String prefix) {
        String name = TestAuth.uniqueName(prefix);
        auth.createUser(name, "password-" + name, false);
        return name;
    }

    @Test
    void login_setsAStrictHttpOnlySecureCookieAndAnswersAnRs256Token() throws Exception {
        String name = newUser("login");
        TestHttp.Response r = login(name, "password-" + name, false);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("expiresIn").asLong()).isEqualTo(900);
        assertThat(r.json().path("tokenType").asString()).isEqualTo("Bearer");
        assertThat(r.json().has("refreshToken")).as("not in the body unless asked").isFalse();
        assertThat(r.header("Cache-Control")).contains("no-store");
        String cookie = r.raw().headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(COOKIE + "=")).findFirst()
                .orElseThrow();
        // __Host-: a sibling subdomain can neither plant nor overwrite it (Secure, path /, no Domain)
        assertThat(cookie).contains("HttpOnly", "Secure", "SameSite=Strict", "Path=/;", "Max-Age=2592000").doesNotContain("Domain");

        var jwt = com.nimbusds.jwt.SignedJWT.parse(r.json().path("accessToken").asString());
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(jwt.getHeader().getKeyID()).isNotBlank();
        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("traceflow");
        assertThat(claims.getAudience()).containsExactly("traceflow-api");
        assertThat(claims.getSubject()).isNotBlank();
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(900_000);
        assertThat(claims.getStringListClaim("roles")).isEmpty();

        TestHttp.Response me = http.get("/api/users/me", bearer(r.json().path("accessToken").asString()));
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().path("user").path("username").asString()).isEqualTo(name);
        assertThat(me.json().path("user").path("lastLoginAt").asString()).isNotBlank();
    }

    @Test
    void wrongPasswordAndUnknownUser_getTheSame401() {
        String name = newUser("wrong");
        TestHttp.Response wrong = login(name, "not-the-password", false);
        TestHttp.Response unknown = login("nobody-" + name, "whatever-password", false);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.json().path("code").asString()).isEqualTo("INVALID_CREDENTIALS").isEqualTo(unknown.json().path("code").asString());
        assertThat(wrong.json().path("message").asString()).isEqualTo(unknown.json().path("message").asString());
        assertThat(wrong.raw().headers().allValues("Set-Cookie")).isEmpty();
    }

    @Test
    void badLoginBodies_getClearErrors() {
        assertThat(http.post("/auth/login", "{\"username\":", "Content-Type", "application/json").status()).isEqualTo(400);
        TestHttp.Response missing = http.post("/auth/login", "{\"username\":\"admin\"}", "Content-Type", "application/json",
                "X-Forwarded-For", TestAuth.randomIp());
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.json().path("code").asString()).isEqualTo("VALIDATION_FAILED");
        assertThat(http.post("/auth/login", "username=admin", "Content-Type", "application/x-www-form-urlencoded").status())
                .isEqualTo(415);
    }

    @Test
    void usernamesAreCaseInsensitive() {
        String name = newUser("case");
        assertThat(login(name.toUpperCase(), "password-" + name, false).status()).isEqualTo(200);
    }

    @Test
    void refresh_rotatesTheTokenAndTheOldOneStopsWorking() {
        String name = newUser("rotate");
        String first = refreshCookie(login(name, "password-" + name, false));

        TestHttp.Response r1 = refreshWithCookie(first);
        assertThat(r1.status()).as(r1.toString()).isEqualTo(200);
        String second = refreshCookie(r1);
        assertThat(second).isNotEqualTo(first);
        assertThat(http.get("/api/users/me", bearer(r1.json().path("accessToken").asString())).status()).isEqualTo(200);

        TestHttp.Response r2 = refreshWithCookie(second);
        assertThat(r2.status()).isEqualTo(200);
        assertThat(refreshCookie(r2)).isNotEqualTo(second);
    }

    @Test
    void reuseOfARotatedToken_revokesTheWholeFamilyAndIsAudited() {
        String name = newUser("reuse");
        String first = refreshCookie(login(name, "password-" + name, false));
        String second = refreshCookie(refreshWithCookie(first));

        TestHttp.Response reuse = refreshWithCookie(first); // an attacker replays the stolen, already-used token
        assertThat(reuse.status()).isEqualTo(401);
        assertThat(reuse.json().path("code").asString()).isEqualTo("INVALID_REFRESH_TOKEN");
        assertThat(refreshWithCookie(second).status()).as("the legitimate newer token died with its family").isEqualTo(401);

        long audited = jdbc.sql("SELECT count(*) FROM audits WHERE action = 'auth.refresh_reuse' AND actor_name = ?")
                .param(name).query(Long.class).single();
        assertThat(audited).isEqualTo(1);
        // another login of the same user is a different family and still works
        String other = refreshCookie(login(name, "password-" + name, false));
        assertThat(refreshWithCookie(other).status()).isEqualTo(200);
    }

    @Test
    void apiClients_mayAskForTheRefreshTokenInTheBodyAndSendItBack() {
        String name = newUser("body");
        TestHttp.Response r = login(name, "password-" + name, true);
        String token = r.json().path("refreshToken").asString();
        assertThat(token).startsWith("tfr_").isEqualTo(refreshCookie(r));
        TestHttp.Response refreshed = http.post("/auth/refresh", "{\"refreshToken\":\"" + token + "\"}", "Content-Type", "application/json");
        assertThat(refreshed.status()).isEqualTo(200);
        assertThat(refreshed.json().path("refreshToken").asString()).startsWith("tfr_").isNotEqualTo(token);
    }

    @Test
    void logout_revokesTheRefreshTokenAndClearsTheCookie() {
        String name = newUser("logout");
        String token = refreshCookie(login(name, "password-" + name, false));
        TestHttp.Response out = http.post("/auth/logout", "", "Cookie", COOKIE + "=" + token);
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.header("Set-Cookie")).startsWith(COOKIE + "=;").contains("Max-Age=0");
        assertThat(out.raw().headers().allValues("Set-Cookie")).as("the pre-0.3 cookie is cleared too")
                .anySatisfy(c -> assertThat(c).startsWith("traceflow_refresh=;").contains("Path=/auth", "Max-Age=0"));
        assertThat(refreshWithCookie(token).status()).isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action = 'auth.logout' AND actor_name = ?").param(name)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(http.post("/auth/logout", "").status()).as("idempotent without a token").isEqualTo(204);
    }

    @Test
    void refreshWithoutOrWithAnUnknownToken_is401() {
        assertThat(http.post("/auth/refresh", "").status()).isEqualTo(401);
        assertThat(refreshWithCookie("tfr_unknown").status()).isEqualTo(401);
        assertThat(refreshWithCookie("garbage").status()).isEqualTo(401);
    }

    @Test
    void passwordChange_needsTheOldPasswordAndEndsEverySession() {
        String name = newUser("pwchange");
        TestHttp.Response login = login(name, "password-" + name, false);
        String access = login.json().path("accessToken").asString();
        String refresh = refreshCookie(login);

        TestHttp.Response wrongOld = http.post("/api/users/me/password", "{\"oldPassword\":\"nope-nope-nope\",\"newPassword\":\"new-password-123\"}",
                "Content-Type", "application/json", "Authorization", "Bearer " + access);
        assertThat(wrongOld.status()).isEqualTo(403);
        TestHttp.Response tooShort = http.post("/api/users/me/password", "{\"oldPassword\":\"password-" + name + "\",\"newPassword\":\"short\"}",
                "Content-Type", "application/json", "Authorization", "Bearer " + access);
        assertThat(tooShort.status()).isEqualTo(422);

        TestHttp.Response ok = http.post("/api/users/me/password", "{\"oldPassword\":\"password-" + name + "\",\"newPassword\":\"new-password-123\"}",
                "Content-Type", "application/json", "Authorization", "Bearer " + access);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(204);
        assertThat(http.get("/api/users/me", bearer(access)).status()).as("old access token ended").isEqualTo(401);
        assertThat(refreshWithCookie(refresh).status()).as("old refresh token ended").isEqualTo(401);
        assertThat(login(name, "password-" + name, false).status()).isEqualTo(401);
        assertThat(login(name, "new-password-123", false).status()).isEqualTo(200);
    }

    @Test
    void disabledUsers_cannotLogInAndTheirTokensEnd() {
        String name = newUser("disabled");
        TestHttp.Response login = login(name, "password-" + name, false);
        String access = login.json().path("accessToken").asString();
        String id = http.get("/api/users/me", bearer(access)).json().path("user").path("id").asString();

        TestHttp.Response patch = http.send("PATCH", "/api/users/" + id, "{\"enabled\":false}".getBytes(), "Content-Type", "application/json",
                "Authorization", "Bearer " + auth.admin());
        assertThat(patch.status()).as(patch.toString()).isEqualTo(200);
        assertThat(http.get("/api/users/me", bearer(access)).status()).isEqualTo(401);
        assertThat(refreshWithCookie(refreshCookie(login)).status()).isEqualTo(401);
        assertThat(login(name, "password-" + name, false).status()).isEqualTo(401);
    }

    /**
     * Use keeps a login's refresh tokens rotating for at most 90 days; then the user logs in again.
     * The login is moved 89 days back in the database rather than the shared test clock forward
     * (which would age every other test's events past the ingest window).
     */
    @Test
    void refreshTokens_stopAtTheLoginsAbsoluteLifetime_howeverOftenUsed() {
        String name = newUser("forever");
        String token = refreshCookie(login(name, "password-" + name, false));
        String userId = jdbc.sql("SELECT id FROM users WHERE username = ?").param(name).query(String.class).single();
        OffsetDateTime loggedIn = OffsetDateTime.ofInstant(CLOCK.instant(), ZoneOffset.UTC).minusDays(89);
        assertThat(jdbc.sql("UPDATE refresh_tokens SET created_at = ? WHERE user_id = ?").params(loggedIn, userId).update())
                .isEqualTo(1);

        TestHttp.Response r = refreshWithCookie(token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        OffsetDateTime expires = jdbc.sql("SELECT expires_at FROM refresh_tokens WHERE user_id = ? ORDER BY created_at DESC LIMIT 1")
                .param(userId).query(OffsetDateTime.class).single();
        assertThat(expires.toInstant()).as("90 days after the login, not 30 after this use")
                // the database keeps microseconds and may round up the last one
                .isBeforeOrEqualTo(loggedIn.plusDays(90).toInstant().plusNanos(1_000))
                .isAfter(CLOCK.instant());
    }

    /** The cookie goes along by itself, so another site's page must not rotate or revoke it. */
    @Test
    void refreshAndLogout_fromAnotherSitesPage_areRefused() {
        String name = newUser("xsite");
        String token = refreshCookie(login(name, "password-" + name, false));
        for (String path : new String[] {"/auth/refresh", "/auth/logout"}) {
            TestHttp.Response evil = http.post(path, "", "Cookie", COOKIE + "=" + token, "Origin", "https://evil.example");
            assertThat(evil.status()).as(path).isEqualTo(403); // the CORS check's ORIGIN_NOT_ALLOWED, before ours
            // a form posted across sites may come without Origin; the browser still says where it came from
            TestHttp.Response form = http.post(path, "", "Cookie", COOKIE + "=" + token, "Sec-Fetch-Site", "cross-site");
            assertThat(form.status()).as(path + " by Sec-Fetch-Site").isEqualTo(403);
            assertThat(form.json().path("code").asString()).isEqualTo("CROSS_SITE");
            assertThat(http.post(path, "", "Cookie", COOKIE + "=" + token, "Sec-Fetch-Site", "same-site").status())
                    .as(path + " from a sibling subdomain").isEqualTo(403);
        }
        TestHttp.Response dashboard = http.post("/auth/refresh", "", "Cookie", COOKIE + "=" + token,
                "Origin", DASHBOARD_ORIGIN, "Sec-Fetch-Site", "cross-site");
        assertThat(dashboard.status()).as("the allowed dashboard origin").isEqualTo(200);
        TestHttp.Response own = http.post("/auth/refresh", "", "Cookie", COOKIE + "=" + refreshCookie(dashboard),
                "Origin", http.base(), "Sec-Fetch-Site", "same-origin");
        assertThat(own.status()).as("this server's own page").isEqualTo(200);
    }
}
