package dev.traceflow.builds;

import dev.traceflow.builds.internal.git.SshKeys;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.UploadPack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test fixture only: an SSH git server on 127.0.0.1 (Apache MINA SSHD's server, the classes
 * JGit's ssh transport brings along) that answers {@code git-upload-pack '<path>'} with JGit's
 * {@link UploadPack} for repositories the test builds with JGit, and nothing else (no shell, no
 * push, no sftp). Public-key authentication only, with the keys the test authorizes; its host key
 * is made at start (Ed25519). The product never runs this.
 */
public final class LoopbackSshGitServer implements AutoCloseable {

    private static final Pattern UPLOAD_PACK = Pattern.compile("git-upload-pack '?(/[A-Za-z0-9._/-]+?)'?");

    private final SshServer server;
    private final KeyPair hostKey;
    private final Map<String, Repository> repositories = new ConcurrentHashMap<>();
    private final Set<PublicKey> authorized = new CopyOnWriteArraySet<>();
    private final AtomicInteger connections = new AtomicInteger();

    public LoopbackSshGitServer() {
        this(newKeyPair());
    }

    /** @param hostKey the key the server shows (a test that changes it starts a second server with another) */
    public LoopbackSshGitServer(KeyPair hostKey) {
        this(hostKey, "127.0.0.1");
    }

    /**
     * @param hostKey the key the server shows
     * @param address the loopback address to listen on ({@code 127.0.0.1} or {@code ::1})
     */
    public LoopbackSshGitServer(KeyPair hostKey, String address) {
        this(address, hostKey);
    }

    /**
     * @param address  the loopback address to listen on
     * @param hostKeys the server's host keys, the first one its main key (as sshd offers an
     *                 Ed25519, an ECDSA and an RSA key, and a client takes one of them)
     */
    public LoopbackSshGitServer(String address, KeyPair... hostKeys) {
        this.hostKey = hostKeys[0];
        server = SshServer.setUpDefaultServer();
        server.setHost(address);
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKeys));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> authorized.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
        server.setCommandFactory((channel, command) -> new UploadPackCommand(command));
        server.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            @Override
            public void sessionCreated(org.apache.sshd.common.session.Session session) {
                connections.incrementAndGet();
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new key pair (Ed25519: what ssh-keygen makes by default). */
    public static KeyPair newKeyPair() {
        try {
            return KeyUtils.generateKeyPair("ssh-ed25519", 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key as an admin pastes it into a credential: OpenSSH text, no passphrase. */
    public static String privateKeyText(KeyPair keys) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keys, "ci@traceflow", null, out);
            return out.toString(StandardCharsets.US_ASCII);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key as OpenSSH text encrypted with a passphrase (AES-256-CTR, bcrypt KDF), as ssh-keygen -N writes it. */
    public static String encryptedPrivateKeyText(KeyPair keys, String passphrase) {
        try {
            org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext options =
                    new org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext();
            options.setPassword(passphrase);
            options.setCipherName("AES");
            options.setCipherMode("CTR");
            options.setCipherType("256");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keys, "ci@traceflow", options, out);
            return out.toString(StandardCharsets.US_ASCII);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets a key in (as a line of authorized_keys would). */
    public void authorize(PublicKey key) {
        authorized.add(key);
    }

    /** A new repository at {@code /<name>.git}, made by the caller through the returned Git. */
    public Git create(String name) throws Exception {
        Path dir = Files.createTempDirectory("traceflow-ssh-git-" + name);
        Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
        repositories.put("/" + name + ".git", git.getRepository());
        return git;
    }

    /** {@code ssh://git@127.0.0.1:<port>/<name>.git} */
    public String url(String name) {
        return "ssh://git@127.0.0.1:" + port() + "/" + name + ".git";
    }

    public int port() {
        return server.getPort();
    }

    /** The host key's one-line public form ({@code ssh-ed25519 AAAA...}). */
    public String hostKeyLine() {
        return SshKeys.line(hostKey.getPublic());
    }

    /** How many ssh sessions were opened (TCP connections that reached the ssh handshake). */
    public int connections() {
        return connections.get();
    }

    /** {@code git-upload-pack} of a known repository, run by JGit; any other command exits 127. */
    private final class UploadPackCommand implements Command {

        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        UploadPackCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback exit) {
            this.exit = exit;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread.ofVirtual().name("test-ssh-upload-pack").start(() -> {
                Matcher m = UPLOAD_PACK.matcher(command);
                Repository repo = m.matches() ? repositories.get(m.group(1)) : null;
                if (repo == null) {
                    try {
                        err.write(("fatal: '" + command + "' does not appear to be a git repository\n").getBytes(StandardCharsets.UTF_8));
                        err.flush();
                    } catch (IOException ignored) {
                        // the client left
                    }
                    exit.onExit(128, "no such repository");
                    return;
                }
                try {
                    new UploadPack(repo).upload(in, out, err);
                    out.flush();
                    exit.onExit(0);
                } catch (IOException | RuntimeException e) {
                    exit.onExit(1, String.valueOf(e.getMessage()));
                }
            });
        }

        @Override
        public void destroy(ChannelSession channel) {
            // upload-pack ends with its streams
        }
    }

    @Override
    public void close() throws IOException {
        server.stop(true); // the repositories belong to the Git objects create() returned, closed by the tests
    }

    /** Keys for a test: a client key pair and its private key text. */
    public record ClientKey(KeyPair pair, String privateKeyText) {
        public static ClientKey create() {
            KeyPair pair = newKeyPair();
            return new ClientKey(pair, LoopbackSshGitServer.privateKeyText(pair));
        }
    }
}
