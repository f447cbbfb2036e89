package dev.traceflow.builds.internal.git;

import dev.traceflow.builds.LoopbackGitServer;
import dev.traceflow.outbound.OutboundGuard;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fetch step writes a commit's tree onto the disk: the one place a build unpacks something. A
 * tree whose symbolic links point out of the checkout (absolute, {@code ../}, or through another
 * link: {@code c/..} where {@code c -> ..}) is checked out without them; links that stay inside are kept.
 */
class GitCheckoutLinksTest {

    private static LoopbackGitServer server;
    private static String commit;
    private static final OutboundGuard LOOPBACK_ALLOWED = new OutboundGuard(List.of("127.0.0.1/32"), host -> {
        throw new java.net.UnknownHostException(host);
    });

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        server = new LoopbackGitServer();
        try (Git git = server.create("links", null)) {
            Path dir = git.getRepository().getWorkTree().toPath();
            Files.createDirectories(dir.resolve("sub/deep"));
            Files.writeString(dir.resolve("file.txt"), "inside");
            Files.createSymbolicLink(dir.resolve("abs"), Path.of("/etc"));
            Files.createSymbolicLink(dir.resolve("up"), Path.of("../../outside"));
            Files.createSymbolicLink(dir.resolve("sub/ok"), Path.of("../file.txt"));
            Files.createSymbolicLink(dir.resolve("sub/c"), Path.of(".."));            // the checkout's root: inside
            Files.createSymbolicLink(dir.resolve("sub/trick"), Path.of("c/.."));      // reads as sub, leads above the root
            Files.createSymbolicLink(dir.resolve("sub/deep/d"), Path.of("../c/sub/c")); // the root again, through c twice
            Files.createSymbolicLink(dir.resolve("sub/loop"), Path.of("loop"));
            git.add().addFilepattern(".").call();
            ObjectId id = git.commit().setMessage("links").setSign(false).call().getId();
            commit = id.name();
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void checkout_dropsLinksThatLeadOutOfTheCheckout_andKeepsTheOnesInside() throws Exception {
        GitRemote remote = new GitRemote(new GitUrlGuard(LOOPBACK_ALLOWED), work.resolve("mirrors"), Duration.ofSeconds(10), 64L << 20, 100);
        GitUrl url = new GitUrlGuard(LOOPBACK_ALLOWED).requireAllowed(server.url("links"));
        Path checkout = work.resolve("checkout");
        remote.checkout("links-source", url, null, "main", commit, checkout, 1 << 20);

        assertThat(checkout.resolve("file.txt")).hasContent("inside");
        assertThat(Files.isSymbolicLink(checkout.resolve("sub/ok"))).isTrue();
        assertThat(checkout.resolve("sub/ok")).hasContent("inside");
        assertThat(Files.isSymbolicLink(checkout.resolve("sub/c"))).isTrue();
        assertThat(Files.isSymbolicLink(checkout.resolve("sub/deep/d"))).isTrue();
        for (String out : List.of("abs", "up", "sub/trick", "sub/loop")) {
            assertThat(Files.exists(checkout.resolve(out), java.nio.file.LinkOption.NOFOLLOW_LINKS)).as(out).isFalse();
        }
    }
}
