package dev.traceflow.builds.internal.git;

import dev.traceflow.builds.LoopbackGitServer;
import dev.traceflow.outbound.OutboundGuard;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JGit against a smart-HTTP git server on 127.0.0.1 (allowed for the test), through the guard. */
class GitRemoteTest {

    private static LoopbackGitServer server;
    private static final OutboundGuard LOOPBACK_ALLOWED = new OutboundGuard(List.of("127.0.0.1/32"), host -> {
        throw new java.net.UnknownHostException(host);
    });

    @TempDir
    Path mirrors;

    @BeforeAll
    static void start() throws Exception {
        server = new LoopbackGitServer();
        try (Git git = server.create("shop", null)) {
            commit(git, "first");
            git.tag().setName("v1.0.0").setAnnotated(false).call();
            commit(git, "fix cart");
            commit(git, "add checkout");
            git.tag().setName("v1.1.0").setMessage("release 1.1").setAnnotated(true).call();
            commit(git, "try new layout");
            git.tag().setName("v2.0.0-rc.1").setAnnotated(false).call();
        }
        try (Git git = server.create("private", "s3cret-token-value")) {
            commit(git, "secret work");
        }
    }

    static void commit(Git git, String message) throws Exception {
        git.commit().setMessage(message).setAllowEmpty(true).setSign(false).call();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private GitRemote remote(OutboundGuard guard) {
        return new GitRemote(new GitUrlGuard(guard), mirrors, Duration.ofSeconds(10), 64L << 20, 20_000);
    }

    private static GitUrl url(String name) {
        return new GitUrlGuard(LOOPBACK_ALLOWED).requireAllowed(server.url(name));
    }

    @Test
    void statusText_readsCodesFromTheAnswer_neverFromTheUrlsPortOrPath() {
        assertThat(GitFailures.statusText("http://127.0.0.1:34017/no-such-repository: not found."))
                .doesNotContain("401").contains("not found");
        assertThat(GitFailures.statusText("https://git.example/repo-403.git: 401 Unauthorized")).doesNotContain("403")
                .contains("401 unauthorized");
    }

    @Test
    void probe_findsTheDefaultBranch() throws Exception {
        try (GitRemote remote = remote(LOOPBACK_ALLOWED)) {
            ProbeResult r = remote.probe(url("shop"), null);
            assertThat(r.ok()).as(r.toString()).isTrue();
            assertThat(r.defaultBranch()).isEqualTo("main");
            assertThat(r.refs()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void probe_withoutTheToken_isReachableButNotAuthenticated() throws Exception {
        try (GitRemote remote = remote(LOOPBACK_ALLOWED)) {
            ProbeResult r = remote.probe(url("private"), null);
            assertThat(r.reachable()).isTrue();
            assertThat(r.authenticated()).isFalse();
            ProbeResult wrong = remote.probe(url("private"), new GitAuth("ci", "wrong-token"));
            assertThat(wrong.authenticated()).isFalse();
            ProbeResult right = remote.probe(url("private"), new GitAuth("ci", "s3cret-token-value"));
            assertThat(right.ok()).as(right.toString()).isTrue();
            assertThat(right.problem()).isNull();
        }
    }

    @Test
    void probe_ofAMissingRepository_saysSo() throws Exception {
        try (GitRemote remote = remote(LOOPBACK_ALLOWED)) {
            ProbeResult r = remote.probe(url("nothing-here"), null);
            assertThat(r.ok()).isFalse();
            assertThat(r.problem()).isNotBlank();
        }
    }

    @Test
    void versions_listTagsWithChangelogAndRecentCommits() throws Exception {
        try (GitRemote remote = remote(LOOPBACK_ALLOWED)) {
            List<RemoteVersion> versions = remote.versions("src-1", url("shop"), null, "main");
            assertThat(versions).filteredOn(v -> v.kind().equals("tag")).extracting(RemoteVersion::tagOrCommit)
                    .containsExactly("v1.0.0", "v1.1.0", "v2.0.0-rc.1");
            RemoteVersion v11 = versions.stream().filter(v -> v.tagOrCommit().equals("v1.1.0")).findFirst().orElseThrow();
            assertThat(v11.summary()).isEqualTo("release 1.1");
            assertThat(v11.changelog()).contains("add checkout").contains("fix cart").doesNotContain("first");
            assertThat(versions).filteredOn(v -> v.kind().equals("commit")).hasSize(4)
                    .first().extracting(RemoteVersion::summary).isEqualTo("try new layout");
            // fetched again: the mirror is reused, the answer is the same
            assertThat(remote.versions("src-1", url("shop"), null, "main")).isEqualTo(versions);
        }
    }

    /** The README's walkthrough serves a bare copy as static files (git's "dumb" HTTP); JGit reads it through the guard too. */
    @Test
    void dumbHttp_fromABareCopyServedAsFiles_isReadToo(@TempDir Path served) throws Exception {
        Path bare = served.resolve("shop.git");
        try (Git clone = Git.cloneRepository().setURI(server.url("shop")).setBare(true).setDirectory(bare.toFile()).call()) {
            // what `git update-server-info` writes: the refs list the dumb protocol starts from
            org.eclipse.jgit.lib.RefWriter writer = new org.eclipse.jgit.lib.RefWriter(
                    clone.getRepository().getRefDatabase().getRefs()) {
                @Override
                protected void writeFile(String file, byte[] content) throws java.io.IOException {
                    java.nio.file.Files.createDirectories(bare.resolve(file).getParent());
                    java.nio.file.Files.write(bare.resolve(file), content);
                }
            };
            writer.writeInfoRefs();
            // and objects/info/packs, the list of packs a dumb client downloads
            StringBuilder packs = new StringBuilder();
            try (var list = java.nio.file.Files.list(bare.resolve("objects/pack"))) {
                list.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".pack")).forEach(f -> packs.append("P ").append(f).append('\n'));
            }
            java.nio.file.Files.createDirectories(bare.resolve("objects/info"));
            java.nio.file.Files.writeString(bare.resolve("objects/info/packs"), packs.toString() + "\n");
        }
        var files = com.sun.net.httpserver.SimpleFileServer.createFileServer(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), served,
                com.sun.net.httpserver.SimpleFileServer.OutputLevel.NONE);
        files.start();
        try (GitRemote remote = remote(LOOPBACK_ALLOWED)) {
            GitUrl url = new GitUrlGuard(LOOPBACK_ALLOWED).requireAllowed("http://127.0.0.1:" + files.getAddress().getPort() + "/shop.git");
            ProbeResult r = remote.probe(url, null);
            assertThat(r.reachable()).as(r.toString()).isTrue();
            assertThat(remote.versions("dumb", url, null, "main")).extracting(RemoteVersion::tagOrCommit).contains("v1.0.0", "v1.1.0");
        } finally {
            files.stop(0);
        }
    }

    /** A server that answers with a redirect to an internal address: JGit follows it, through the guard, which refuses it. */
    @Test
    void aRedirectToAnInternalAddress_isRefused() throws Exception {
        // 127.0.0.2 is loopback too, but only 127.0.0.1/32 is allowed here
        server.redirect("moved", "http://127.0.0.2:" + server.port() + "/shop.git");
        server.redirect("moved-ok", server.url("shop"));
        try (GitRemote remote = remote(LOOPBACK_ALLOWED)) {
            ProbeResult refused = remote.probe(url("moved"), null);
            assertThat(refused.ok()).isFalse();
            assertThat(refused.problem()).as(refused.toString()).contains("loopback");
            // a redirect to an allowed address is followed as usual
            ProbeResult followed = remote.probe(url("moved-ok"), null);
            assertThat(followed.ok()).as(followed.toString()).isTrue();
        }
    }

    @Test
    void loopback_isNotReached_whenNotAllowed() throws Exception {
        GitUrl stored = url("shop");
        OutboundGuard strict = new OutboundGuard(List.of(), host -> {
            throw new java.net.UnknownHostException(host);
        });
        int before = server.requests();
        try (GitRemote remote = remote(strict)) {
            ProbeResult r = remote.probe(stored, null);
            assertThat(r.ok()).isFalse();
            assertThat(r.problem()).contains("loopback");
            assertThatThrownBy(() -> remote.versions("src-2", stored, null, "main")).isInstanceOf(GitUnavailable.class)
                    .hasMessageContaining("loopback");
        }
        assertThat(server.requests()).isEqualTo(before);
    }
}
