package dev.traceflow.builds.internal.git;

import dev.traceflow.builds.LoopbackSshGitServer;
import dev.traceflow.builds.LoopbackSshGitServer.ClientKey;
import dev.traceflow.outbound.OutboundGuard;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * JGit's ssh transport against a real SSH git server on 127.0.0.1, through the guard. The
 * server's name, {@code git.example.test}, exists only in the test's resolver: the connection can
 * reach the server only by going to the address the guard checked, with no look-up of its own.
 */
class SshGitRemoteTest {

    static final String HOST = "git.example.test";
    static LoopbackSshGitServer server;
    static final ClientKey KEY = ClientKey.create();
    static final ClientKey STRANGER = ClientKey.create();
    static final AtomicInteger lookups = new AtomicInteger();
    /** The operator allowed 127.0.0.1/32, where the test's git server is; the test resolver sends git.example.test there. */
    static final OutboundGuard ALLOWED = new OutboundGuard(List.of("127.0.0.1/32"), host -> {
        lookups.incrementAndGet();
        if (host.equals(HOST)) {
            return List.of(InetAddress.getByAddress(HOST, new byte[]{127, 0, 0, 1}));
        }
        throw new UnknownHostException(host);
    });

    @TempDir
    Path mirrors;

    @BeforeAll
    static void start() throws Exception {
        server = new LoopbackSshGitServer();
        server.authorize(KEY.pair().getPublic());
        try (Git git = server.create("shop")) {
            git.commit().setMessage("first").setAllowEmpty(true).setSign(false).call();
            git.tag().setName("v1.0.0").setAnnotated(false).call();
            git.commit().setMessage("add checkout").setAllowEmpty(true).setSign(false).call();
            git.tag().setName("v1.1.0").setMessage("release 1.1").setAnnotated(true).call();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private GitRemote remote(OutboundGuard guard) {
        return new GitRemote(new GitUrlGuard(guard), mirrors, Duration.ofSeconds(10), 64L << 20, 20_000);
    }

    private static GitUrl url(String url) {
        return new GitUrlGuard(ALLOWED).requireAllowed(url);
    }

    private static String shop() {
        return "ssh://git@" + HOST + ":" + server.port() + "/shop.git";
    }

    @Test
    void probe_withTheKey_findsTheDefaultBranch_andTrustsTheHostKeyOnFirstUse() throws Exception {
        GitUrl url = url(shop());
        SshHostKeyCheck hostKeys = SshHostKeyCheck.of(null, true);
        int before = lookups.get();
        try (GitRemote remote = remote(ALLOWED)) {
            ProbeResult r = remote.probe(url, GitAuth.sshKey(null, KEY.privateKeyText()), hostKeys);
            assertThat(r.ok()).as(r.toString()).isTrue();
            assertThat(r.defaultBranch()).isEqualTo("main");
            assertThat(r.refs()).isGreaterThanOrEqualTo(3);
        }
        // one look-up, by the guard: the ssh client connected to the address it returned
        assertThat(lookups.get() - before).isEqualTo(1);
        assertThat(hostKeys.firstSeenKey()).isEqualTo(server.hostKeyLine());
        assertThat(hostKeys.refused()).isFalse();
    }

    @Test
    void versions_overSsh_listTagsAndCommits_scpLikeUrlToo() throws Exception {
        GitUrl scpLike = url("git@" + HOST + ":shop.git");
        assertThat(scpLike.toString()).isEqualTo("ssh://git@" + HOST + "/shop.git");
        // the scp-like form has no port: the same URL with the test server's port
        GitUrl url = url(shop());
        try (GitRemote remote = remote(ALLOWED)) {
            List<RemoteVersion> versions = remote.versions("ssh-src", url, GitAuth.sshKey(null, KEY.privateKeyText()), "main",
                    SshHostKeyCheck.of(server.hostKeyLine(), false));
            assertThat(versions).filteredOn(v -> v.kind().equals("tag")).extracting(RemoteVersion::tagOrCommit)
                    .containsExactly("v1.0.0", "v1.1.0");
            assertThat(versions).filteredOn(v -> v.tagOrCommit().equals("v1.1.0")).first().extracting(RemoteVersion::summary)
                    .isEqualTo("release 1.1");
            assertThat(versions).filteredOn(v -> v.kind().equals("commit")).hasSize(2);
            // fetched again into the same mirror
            assertThat(remote.versions("ssh-src", url, GitAuth.sshKey(null, KEY.privateKeyText()), "main",
                    SshHostKeyCheck.of(server.hostKeyLine(), false))).isEqualTo(versions);
        }
    }

    @Test
    void aKeyTheServerDoesNotKnow_isRefusedAsAuthentication() throws Exception {
        GitUrl url = url(shop());
        try (GitRemote remote = remote(ALLOWED)) {
            ProbeResult r = remote.probe(url, GitAuth.sshKey(null, STRANGER.privateKeyText()), SshHostKeyCheck.of(null, true));
            assertThat(r.reachable()).as(r.toString()).isTrue();
            assertThat(r.authenticated()).isFalse();
            assertThat(r.problem()).contains("refused the credential").doesNotContain("PRIVATE KEY");
            ProbeResult none = remote.probe(url, null, SshHostKeyCheck.of(null, true));
            assertThat(none.authenticated()).as(none.toString()).isFalse();
            assertThatThrownBy(() -> remote.versions("ssh-wrong", url, GitAuth.sshKey(null, STRANGER.privateKeyText()), "main",
                    SshHostKeyCheck.of(null, true)))
                    .isInstanceOfSatisfying(GitUnavailable.class, e -> assertThat(e.kind()).isEqualTo(GitUnavailable.Cause.AUTHENTICATION));
        }
    }

    @Test
    void aHostKeyOtherThanTheRecordedOne_isRefused() throws Exception {
        GitUrl url = url(shop());
        String otherKey = dev.traceflow.builds.internal.git.SshKeys.line(LoopbackSshGitServer.newKeyPair().getPublic());
        try (GitRemote remote = remote(ALLOWED)) {
            SshHostKeyCheck pinned = SshHostKeyCheck.of(otherKey, true);
            ProbeResult r = remote.probe(url, GitAuth.sshKey(null, KEY.privateKeyText()), pinned);
            assertThat(r.ok()).isFalse();
            assertThat(pinned.refused()).isTrue();
            assertThat(pinned.firstSeenKey()).isNull();
            assertThat(r.problem()).as(r.toString()).contains("not the one recorded")
                    .contains(SshKeys.fingerprint(SshKeys.publicKey(server.hostKeyLine())));
            assertThatThrownBy(() -> remote.versions("ssh-pinned", url, GitAuth.sshKey(null, KEY.privateKeyText()), "main",
                    SshHostKeyCheck.of(otherKey, true)))
                    .isInstanceOfSatisfying(GitUnavailable.class, e -> assertThat(e.kind()).isEqualTo(GitUnavailable.Cause.HOST_KEY));
            // without trust on first use, an unknown host key is refused too
            SshHostKeyCheck strict = SshHostKeyCheck.of(null, false);
            ProbeResult unknown = remote.probe(url, GitAuth.sshKey(null, KEY.privateKeyText()), strict);
            assertThat(unknown.ok()).isFalse();
            assertThat(unknown.problem()).contains("trust on first use is off");
        }
    }

    @Test
    void loopback_isNotReached_whenNotAllowed() throws Exception {
        GitUrl stored = url(shop());
        OutboundGuard strict = new OutboundGuard(List.of(), ALLOWED_RESOLVER);
        int before = server.connections();
        try (GitRemote remote = remote(strict)) {
            ProbeResult r = remote.probe(stored, GitAuth.sshKey(null, KEY.privateKeyText()), SshHostKeyCheck.of(null, true));
            assertThat(r.ok()).isFalse();
            assertThat(r.problem()).contains("loopback");
            assertThatThrownBy(() -> remote.versions("ssh-strict", stored, GitAuth.sshKey(null, KEY.privateKeyText()), "main",
                    SshHostKeyCheck.of(null, true))).isInstanceOf(GitUnavailable.class).hasMessageContaining("loopback");
        }
        assertThatThrownBy(() -> new GitUrlGuard(strict).requireAllowed(shop())).isInstanceOf(GitUrlRefused.class)
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> new GitUrlGuard(strict).requireAllowed("git@127.0.0.1:shop.git")).isInstanceOf(GitUrlRefused.class);
        assertThat(server.connections()).isEqualTo(before);
    }

    @Test
    void aTokenCredential_orAnUnreadableKey_isRefusedBeforeConnecting() throws Exception {
        GitUrl url = url(shop());
        int before = server.connections();
        try (GitRemote remote = remote(ALLOWED)) {
            ProbeResult token = remote.probe(url, new GitAuth("ci", "a-token"), SshHostKeyCheck.of(null, true));
            assertThat(token.problem()).contains("ssh-key credential");
            ProbeResult garbage = remote.probe(url, GitAuth.sshKey(null, "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"
                    + "-----END OPENSSH PRIVATE KEY-----"), SshHostKeyCheck.of(null, true));
            assertThat(garbage.problem()).contains("could not be read");
        }
        assertThat(server.connections()).isEqualTo(before);
    }

    /** An IPv6 address goes to JGit in brackets, and still with no look-up of its own. */
    @Test
    void anIpv6Server_isReachedAtTheCheckedAddress() throws Exception {
        LoopbackSshGitServer v6;
        try {
            v6 = new LoopbackSshGitServer(LoopbackSshGitServer.newKeyPair(), "::1");
        } catch (java.io.UncheckedIOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (v6; Git git = v6.create("six")) {
            git.commit().setMessage("six").setAllowEmpty(true).setSign(false).call();
            v6.authorize(KEY.pair().getPublic());
            OutboundGuard allowed = new OutboundGuard(List.of("::1/128"), host -> {
                if (host.equals("git6.example.test")) {
                    return List.of(InetAddress.getByAddress("git6.example.test", InetAddress.getByName("::1").getAddress()));
                }
                throw new UnknownHostException(host);
            });
            GitUrl url = new GitUrlGuard(allowed).requireAllowed("ssh://git@git6.example.test:" + v6.port() + "/six.git");
            try (GitRemote remote = remote(allowed)) {
                ProbeResult r = remote.probe(url, GitAuth.sshKey(null, KEY.privateKeyText()), SshHostKeyCheck.of(v6.hostKeyLine(), false));
                assertThat(r.ok()).as(r.toString()).isTrue();
                assertThat(r.defaultBranch()).isEqualTo("main");
            }
        }
    }

    /**
     * A server with several host keys (as sshd has Ed25519, ECDSA and RSA ones): the key an admin
     * pinned is asked for, whichever of its keys the server would show first.
     */
    @Test
    void aServerWithSeveralHostKeys_isAskedForThePinnedOne() throws Exception {
        java.security.KeyPair ecdsa = org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        try (LoopbackSshGitServer multi = new LoopbackSshGitServer("127.0.0.1", LoopbackSshGitServer.newKeyPair(), ecdsa);
             Git git = multi.create("multi")) {
            git.commit().setMessage("multi").setAllowEmpty(true).setSign(false).call();
            multi.authorize(KEY.pair().getPublic());
            GitUrl url = url("ssh://git@" + HOST + ":" + multi.port() + "/multi.git");
            try (GitRemote remote = remote(ALLOWED)) {
                for (String pinned : List.of(multi.hostKeyLine(), SshKeys.line(ecdsa.getPublic()))) {
                    SshHostKeyCheck check = SshHostKeyCheck.of(pinned, false);
                    ProbeResult r = remote.probe(url, GitAuth.sshKey(null, KEY.privateKeyText()), check);
                    assertThat(r.ok()).as(pinned + ": " + r).isTrue();
                }
            }
        }
    }

    @Test
    void whatTheServerSends_isLimitedAsForHttps() throws Exception {
        GitUrl url = url(shop());
        try (GitRemote small = new GitRemote(new GitUrlGuard(ALLOWED), mirrors, Duration.ofSeconds(10), 100, 20_000)) {
            assertThatThrownBy(() -> small.versions("ssh-small", url, GitAuth.sshKey(null, KEY.privateKeyText()), "main",
                    SshHostKeyCheck.of(null, true))).isInstanceOf(GitUnavailable.class).hasMessageContaining("size limit");
        }
    }

    @Test
    void sshKeys_readEd25519AndPemRsa_andRefuseWhatIsNoKey() throws Exception {
        assertThat(SshKeys.privateKeys(KEY.privateKeyText())).hasSize(1);
        // an RSA key in PEM (PKCS#8), as older tools and key stores write it
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        assertThat(SshKeys.privateKeys(pem)).hasSize(1).first().extracting(k -> k.getPublic().getAlgorithm()).isEqualTo("RSA");
        assertThat(SshKeys.line(SshKeys.publicKey(server.hostKeyLine() + " a comment"))).isEqualTo(server.hostKeyLine());
        assertThatThrownBy(() -> SshKeys.publicKey("ssh-ed25519 not-base64!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SshKeys.privateKeys("hello")).isInstanceOf(IllegalArgumentException.class);
    }

    private static final dev.traceflow.outbound.HostResolver ALLOWED_RESOLVER = host -> {
        if (host.equals(HOST)) {
            return List.of(InetAddress.getByAddress(HOST, new byte[]{127, 0, 0, 1}));
        }
        throw new UnknownHostException(host);
    };
}
