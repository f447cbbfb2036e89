package dev.traceflow.it;

import dev.traceflow.support.PostgresSchema;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3's flows on the machine's PostgreSQL (own schema, dropped afterwards): bootstrap admin,
 * login, refresh rotation and reuse detection, users, apps, memberships (MERGE), keys, RBAC 404s,
 * and the audit trail with its filters.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PostgresAuthIT {

    static final PostgresSchema DB = new PostgresSchema("traceflow_auth_it_");
    static final String SCHEMA = DB.name;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) throws Exception {
        DB.register(registry);
        registry.add("traceflow.bootstrap.ingest-key", () -> "pg-auth-it-demo-key");
        registry.add("traceflow.bootstrap.admin-password", () -> ServerTest.ADMIN_PASSWORD);
        registry.add("traceflow.auth.bcrypt-strength", () -> "4");
        registry.add("traceflow.http.trusted-proxies", () -> "127.0.0.1/32,::1/128"); // logins stand for many clients
    }

    @AfterAll
    static void dropSchema() throws Exception {
        DB.drop();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    TestHttp http;
    TestAuth auth;

    @BeforeEach
    void client() {
        http = new TestHttp("http://127.0.0.1:" + port);
        auth = new TestAuth(http);
    }

    @Test
    void runsOnPostgres() {
        assertThat(jdbc.sql("SELECT version()").query(String.class).single()).startsWith("PostgreSQL");
        assertThat(jdbc.sql("SELECT current_schema()").query(String.class).single()).isEqualTo(SCHEMA);
    }

    @Test
    void loginRefreshRotationAndReuseDetection() {
        TestHttp.Response login = http.post("/auth/login", "{\"username\":\"admin\",\"password\":\"" + ServerTest.ADMIN_PASSWORD
                + "\",\"refreshTokenInBody\":true}", "Content-Type", "application/json", "X-Forwarded-For", TestAuth.randomIp());
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        String first = login.json().path("refreshToken").asString();
        TestHttp.Response rotated = http.post("/auth/refresh", "{\"refreshToken\":\"" + first + "\"}", "Content-Type", "application/json");
        assertThat(rotated.status()).isEqualTo(200);
        String second = rotated.json().path("refreshToken").asString();
        assertThat(http.post("/auth/refresh", "{\"refreshToken\":\"" + first + "\"}", "Content-Type", "application/json").status())
                .isEqualTo(401);
        assertThat(http.post("/auth/refresh", "{\"refreshToken\":\"" + second + "\"}", "Content-Type", "application/json").status())
                .as("family revoked").isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action = 'auth.refresh_reuse'").query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void apiTokensOnPostgres() {
        String app = TestAuth.uniqueName("pg-tok");
        auth.createApp(app);
        String name = TestAuth.uniqueName("pg-tok-user");
        String login = auth.newUserToken(name);
        auth.grant(app, name, "editor");
        TestHttp.Response created = http.post("/api/users/me/tokens",
                "{\"name\":\"ci\",\"expiresInDays\":365,\"apps\":{\"" + app + "\":\"viewer\"}}",
                "Content-Type", "application/json", "Authorization", "Bearer " + login);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String token = created.json().path("token").asString();
        TestHttp.Response read = http.get("/api/apps/" + app, bearer(token));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("role").asString()).isEqualTo("viewer");
        TestHttp.Response list = http.get("/api/users/me/tokens", bearer(login));
        assertThat(list.json().path("items").get(0).path("lastUsedAt").isNull()).isFalse();
        assertThat(list.body()).doesNotContain(token);
        assertThat(http.send("DELETE", "/api/users/me/tokens/" + created.json().path("id").asString(), null, bearer(login)).status())
                .isEqualTo(204);
        assertThat(http.get("/api/apps/" + app, bearer(token)).status()).isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action LIKE 'api_token.%' AND actor_name = ?").param(name)
                .query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void usersAppsMembersKeysAndAuditOnPostgres() {
        String app = TestAuth.uniqueName("pg-app");
        String other = TestAuth.uniqueName("pg-other");
        auth.createApp(app);
        auth.createApp(other);
        String name = TestAuth.uniqueName("pg-owner");
        String owner = auth.newUserToken(name);
        auth.grant(app, name, "viewer");
        auth.grant(app, name, "owner"); // MERGE updates the role

        TestHttp.Response key = http.post("/api/apps/" + app + "/keys", "", bearer(owner));
        assertThat(key.status()).isEqualTo(201);
        TestHttp.Response sent = http.post("/api/collect", "{\"appId\":\"" + app + "\",\"type\":\"pageview\",\"timestamp\":"
                + System.currentTimeMillis() + "}", "Content-Type", "application/json", "X-TraceFlow-Key", key.json().path("key").asString());
        assertThat(sent.status()).isEqualTo(202);
        assertThat(http.get("/api/ingest/stats?appId=" + app, bearer(owner)).json().path("accepted").asLong()).isEqualTo(1);

        assertThat(http.get("/api/apps/" + other, bearer(owner)).status()).isEqualTo(404);
        assertThat(http.get("/audits?appId=" + other, bearer(owner)).status()).isEqualTo(404);
        TestHttp.Response audits = http.get("/audits?appId=" + app + "&action=key.create", bearer(owner));
        assertThat(audits.status()).isEqualTo(200);
        assertThat(audits.json().path("items").get(0).path("actorName").asString()).isEqualTo(name);
        assertThat(audits.body()).doesNotContain(key.json().path("key").asString());
    }

    @Test
    void auditsAreAppendOnlyInTheDatabase() {
        auth.createApp(TestAuth.uniqueName("pg-audit")); // at least one audit row
        long before = jdbc.sql("SELECT count(*) FROM audits").query(Long.class).single();

        for (String sql : new String[] {"UPDATE audits SET action = 'rewritten'", "DELETE FROM audits", "TRUNCATE audits"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbc.sql(sql).update()).as(sql)
                    .rootCause().hasMessageContaining("audits are append-only");
        }

        assertThat(jdbc.sql("SELECT count(*) FROM audits").query(Long.class).single()).isEqualTo(before);
        assertThat(jdbc.sql("SELECT count(*) FROM audits WHERE action = 'rewritten'").query(Long.class).single()).isZero();
    }
}
