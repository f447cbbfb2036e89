package dev.traceflow.it;

import dev.traceflow.builds.LoopbackGitServer;
import dev.traceflow.builds.LoopbackSshGitServer;
import dev.traceflow.support.PostgresSchema;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builds part 1 on the machine's PostgreSQL: the V11 tables migrate, and the whole path (a
 * credential, a source on a loopback git server with its versions, a template with a range
 * strategy, a project, a config validated into its snapshot hash, a duplicate refused) runs with
 * the same SQL as on H2; ssh sources and paged versions (V19) too. Its own schema, dropped afterwards.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PostgresBuildsIT {

    static final PostgresSchema DB = new PostgresSchema("traceflow_builds_it_");
    static LoopbackGitServer git;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) throws Exception {
        DB.register(registry);
        registry.add("traceflow.bootstrap.ingest-key", () -> "pg-builds-it-demo-key");
        registry.add("traceflow.bootstrap.admin-password", () -> ServerTest.ADMIN_PASSWORD);
        registry.add("traceflow.auth.bcrypt-strength", () -> "4");
        registry.add("traceflow.http.trusted-proxies", () -> "127.0.0.1/32,::1/128");
        registry.add("traceflow.outbound.allowed-networks", () -> "127.0.0.1/32"); // the loopback git server
    }

    @BeforeAll
    static void repository() throws Exception {
        git = new LoopbackGitServer();
        try (Git repo = git.create("pg-web", "pg-token-123")) {
            for (int i = 0; i < 30; i++) {
                repo.commit().setMessage("change " + i).setAllowEmpty(true).setSign(false).call();
                repo.tag().setName("v1." + i + ".0").call();
            }
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        git.close();
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

    private JsonNode post(String path, Object body, int status) {
        TestHttp.Response r = http.post(path, body instanceof String s ? s : TestHttp.JSON.writeValueAsString(body), "Content-Type",
                "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        return r.json();
    }

    @Test
    void theWholeCatalogue_worksOnPostgres() {
        assertThat(jdbc.sql("SELECT count(*) FROM flyway_schema_history WHERE version = '11' AND success").query(Integer.class).single())
                .isEqualTo(1);
        String credential = post("/credentials", Map.of("name", "pg-token", "type", "https-token", "secret", "pg-token-123"), 201)
                .path("id").asString();
        assertThat(jdbc.sql("SELECT secret_sealed FROM build_credentials WHERE id = ?").param(credential).query(String.class).single())
                .doesNotContain("pg-token-123");
        String source = post("/git-sources", Map.of("name", "pg-web", "repoUrl", git.url("pg-web"), "credentialId", credential,
                "exposedSchema", Map.of("type", "object", "properties", Map.of("title", Map.of("type", "string")))), 201).path("id").asString();
        assertThat(post("/git-sources/" + source + "/test", "", 200).path("ok").asBoolean()).isTrue();
        JsonNode versions = post("/git-sources/" + source + "/versions", "", 200).path("items");
        assertThat(versions.findValuesAsString("tagOrCommit")).contains("v1.0.0", "v1.29.0");
        String template = post("/templates", Map.of("name", "pg-template", "deployType", "static"), 201).path("id").asString();
        post("/templates/" + template + "/sources", Map.of("gitSourceId", source, "versionStrategy", Map.of("type", "range", "range", "~1.7"),
                "build", Map.of("command", List.of("make"), "artifacts", List.of("dist/**"))), 200);
        auth.createApp("pg-builds");
        String project = post("/projects", Map.of("appId", "pg-builds", "name", "pg-project", "templateId", template), 201)
                .path("id").asString();
        Map<String, Object> body = Map.of("projectId", project, "config", Map.of("title", "Shop"));
        String config = post("/configs", body, 201).path("id").asString();
        JsonNode valid = post("/configs/" + config + "/validate", "", 200);
        assertThat(valid.path("snapshotHash").asString()).matches("[0-9a-f]{64}");
        assertThat(valid.path("resolvedVersions").get(0).path("ref").asString()).isEqualTo("v1.7.0");
        assertThat(post("/configs", body, 409).path("details").get(0).path("id").asString()).isEqualTo(config);
        assertThat(jdbc.sql("SELECT snapshot_hash FROM config_instances WHERE id = ?").param(config).query(String.class).single())
                .isEqualTo(valid.path("snapshotHash").asString());
    }

    /** Issue 20's leftovers on PostgreSQL: V19, an ssh source whose host key is recorded, and versions paged by keyset. */
    @Test
    void sshSources_andPagedVersions_workOnPostgres() throws Exception {
        assertThat(jdbc.sql("SELECT count(*) FROM flyway_schema_history WHERE version = '19' AND success").query(Integer.class).single())
                .isEqualTo(1);
        try (LoopbackSshGitServer ssh = new LoopbackSshGitServer()) {
            LoopbackSshGitServer.ClientKey key = LoopbackSshGitServer.ClientKey.create();
            ssh.authorize(key.pair().getPublic());
            try (Git repo = ssh.create("pg-ssh")) {
                for (int i = 0; i < 12; i++) {
                    repo.commit().setMessage("ssh change " + i).setAllowEmpty(true).setSign(false).call();
                    repo.tag().setName("v2." + i + ".0").call();
                }
            }
            String credential = post("/credentials", Map.of("name", "pg-ssh-key", "type", "ssh-key", "secret", key.privateKeyText()), 201)
                    .path("id").asString();
            String source = post("/git-sources", Map.of("name", "pg-ssh", "repoUrl", ssh.url("pg-ssh"), "credentialId", credential), 201)
                    .path("id").asString();
            assertThat(post("/git-sources/" + source + "/versions", "", 200).path("total").asInt()).isEqualTo(24);
            assertThat(jdbc.sql("SELECT ssh_host_key FROM git_sources WHERE id = ?").param(source).query(String.class).single())
                    .isEqualTo(ssh.hostKeyLine());

            List<String> all = get("/git-sources/" + source + "/versions?limit=1000").path("items").findValuesAsString("tagOrCommit");
            List<String> paged = new java.util.ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = get("/git-sources/" + source + "/versions?limit=7" + (cursor == null ? "" : "&cursor=" + cursor));
                paged.addAll(page.path("items").findValuesAsString("tagOrCommit"));
                cursor = page.path("nextCursor").asString(null);
            } while (cursor != null);
            assertThat(paged).hasSize(24).isEqualTo(all).startsWith("v2.0.0", "v2.1.0");
        }
    }

    private JsonNode get(String path) {
        TestHttp.Response r = http.get(path, "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }
}
