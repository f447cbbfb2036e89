package dev.traceflow.builds;

import dev.traceflow.builds.LoopbackSshGitServer.ClientKey;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ssh git sources over HTTP, against a real SSH git server on 127.0.0.1 (allowed for the test
 * server by TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS=127.0.0.1/32): an ssh-key credential, the
 * connectivity test, versions, the host key recorded at the first connection and checked after,
 * a key the server refuses (422), and addresses outside the allowed networks (refused when saved).
 */
class SshGitSourcesApiTest extends BuildsApiSupport {

    static LoopbackSshGitServer ssh;
    static final ClientKey KEY = ClientKey.create();
    static final ClientKey STRANGER = ClientKey.create();

    @BeforeAll
    static void repository() throws Exception {
        ssh = new LoopbackSshGitServer();
        ssh.authorize(KEY.pair().getPublic());
        try (Git repo = ssh.create("web")) {
            repo.commit().setMessage("init").setAllowEmpty(true).setSign(false).call();
            repo.tag().setName("v1.0.0").call();
            repo.commit().setMessage("feature").setAllowEmpty(true).setSign(false).call();
            repo.tag().setName("v1.2.0").call();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        ssh.close();
    }

    private String sshCredential(String privateKey) {
        return status(post("/credentials", Map.of("name", TestAuth.uniqueName("key"), "type", "ssh-key", "secret", privateKey),
                auth.admin()), 201).path("id").asString();
    }

    private TestHttp.Response createSource(String url, String credentialId, String hostKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", TestAuth.uniqueName("ssh-web"));
        body.put("repoUrl", url);
        if (credentialId != null) {
            body.put("credentialId", credentialId);
        }
        if (hostKey != null) {
            body.put("sshHostKey", hostKey);
        }
        return post("/git-sources", body, auth.admin());
    }

    @Test
    void anSshSource_isTested_andItsVersionsFetched_recordingTheHostKeyOnFirstUse() {
        String id = status(createSource(ssh.url("web"), sshCredential(KEY.privateKeyText()), null), 201).path("id").asString();
        JsonNode created = status(get("/git-sources/" + id, auth.admin()), 200);
        assertThat(created.path("sshHostKey").asString(null)).as(created.toString()).isNull();

        JsonNode test = status(post("/git-sources/" + id + "/test", "", auth.admin()), 200);
        assertThat(test.path("ok").asBoolean()).as(test.toString()).isTrue();
        assertThat(test.path("defaultBranch").asString()).isEqualTo("main");
        assertThat(test.toString()).doesNotContain("PRIVATE KEY");

        JsonNode recorded = status(get("/git-sources/" + id, auth.admin()), 200);
        assertThat(recorded.path("sshHostKey").asString()).isEqualTo(ssh.hostKeyLine());
        assertThat(recorded.path("sshHostKeyFingerprint").asString()).startsWith("SHA256:");
        assertThat(get("/audits?resourceType=git_source&resourceId=" + id, auth.admin()).body()).contains("git_source.host_key");

        JsonNode items = status(post("/git-sources/" + id + "/versions", "", auth.admin()), 200).path("items");
        assertThat(items.findValuesAsString("tagOrCommit")).startsWith("v1.0.0", "v1.2.0").hasSize(4);
        assertThat(status(get("/git-sources/" + id + "/versions", auth.admin()), 200).path("items")).hasSize(4);
    }

    @Test
    void aKeyTheServerRefuses_isA422_andTheTestSaysSo() {
        String id = status(createSource(ssh.url("web"), sshCredential(STRANGER.privateKeyText()), null), 201).path("id").asString();
        TestHttp.Response versions = post("/git-sources/" + id + "/versions", "", auth.admin());
        refused(versions, 422, "GIT_AUTH_FAILED");
        assertThat(versions.json().path("message").asString()).contains("refused the credential");
        assertThat(versions.body()).doesNotContain("PRIVATE KEY");
        JsonNode test = status(post("/git-sources/" + id + "/test", "", auth.admin()), 200);
        assertThat(test.path("reachable").asBoolean()).as(test.toString()).isTrue();
        assertThat(test.path("authenticated").asBoolean()).isFalse();
        assertThat(status(get("/git-sources/" + id + "/versions", auth.admin()), 200).path("items")).isEmpty();
    }

    @Test
    void aHostKeyOtherThanTheSources_isRefused_untilTheAdminSetsTheRightOne() {
        String otherKey = dev.traceflow.builds.internal.git.SshKeys.line(LoopbackSshGitServer.newKeyPair().getPublic());
        String id = status(createSource(ssh.url("web"), sshCredential(KEY.privateKeyText()), otherKey + " old-server"), 201)
                .path("id").asString();
        assertThat(status(get("/git-sources/" + id, auth.admin()), 200).path("sshHostKey").asString()).isEqualTo(otherKey);
        TestHttp.Response versions = post("/git-sources/" + id + "/versions", "", auth.admin());
        refused(versions, 422, "SSH_HOST_KEY_MISMATCH");
        assertThat(versions.json().path("message").asString()).contains("not the one recorded");
        JsonNode test = status(post("/git-sources/" + id + "/test", "", auth.admin()), 200);
        assertThat(test.path("ok").asBoolean()).isFalse();
        // the recorded key stays: a mismatch never replaces it
        assertThat(status(get("/git-sources/" + id, auth.admin()), 200).path("sshHostKey").asString()).isEqualTo(otherKey);

        status(patch("/git-sources/" + id, Map.of("sshHostKey", ssh.hostKeyLine()), auth.admin()), 200);
        assertThat(status(post("/git-sources/" + id + "/versions", "", auth.admin()), 200).path("items")).hasSize(4);
        // another server (port) for the source: its old host key goes
        JsonNode moved = status(patch("/git-sources/" + id, Map.of("repoUrl", "ssh://git@127.0.0.1:" + (ssh.port() == 2222 ? 2223 : 2222)
                + "/web.git"), auth.admin()), 200);
        assertThat(moved.path("sshHostKey").asString(null)).as(moved.toString()).isNull();
    }

    @Test
    void sshUrlsOutsideTheAllowedNetworks_andBadSshInput_areRefused_andNothingIsStored() {
        String before = get("/git-sources", auth.admin()).body();
        for (String url : new String[]{"ssh://git@127.0.0.2:" + ssh.port() + "/web.git", "git@10.1.2.3:team/web.git",
                "ssh://git@[::ffff:127.0.0.2]/web.git", "ssh://git@169.254.169.254/web.git"}) {
            TestHttp.Response r = createSource(url, null, null);
            refused(r, 422, "VALIDATION_FAILED");
            assertThat(r.json().path("message").asString()).as(url).startsWith("repoUrl is refused: URL refused: ");
        }
        String token = status(post("/credentials", Map.of("name", TestAuth.uniqueName("tok"), "type", "https-token", "secret", "tok-123"),
                auth.admin()), 201).path("id").asString();
        refused(createSource(ssh.url("web"), token, null), 422, "VALIDATION_FAILED");
        refused(createSource(ssh.url("web"), null, "ssh-ed25519 not-a-key"), 422, "VALIDATION_FAILED");
        refused(createSource("https://127.0.0.1/web.git", null, ssh.hostKeyLine()), 422, "VALIDATION_FAILED");
        assertThat(get("/git-sources", auth.admin()).body()).hasSameSizeAs(before);

        String name = TestAuth.uniqueName("locked-key");
        TestHttp.Response encrypted = post("/credentials", Map.of("name", name, "type", "ssh-key", "secret",
                LoopbackSshGitServer.encryptedPrivateKeyText(KEY.pair(), "hunter2")), auth.admin());
        refused(encrypted, 422, "VALIDATION_FAILED");
        assertThat(encrypted.json().path("message").asString()).contains("passphrase");
        TestHttp.Response truncated = post("/credentials", Map.of("name", name, "type", "ssh-key", "secret",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), auth.admin());
        refused(truncated, 422, "VALIDATION_FAILED");
        assertThat(get("/credentials", auth.admin()).body()).doesNotContain(name);
    }
}
