package dev.traceflow.builds.internal.git;

import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.RemoteSession2;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.eclipse.jgit.util.FS;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;

/**
 * JGit's Apache MINA SSHD sessions, made for one operation of one source and shut off from
 * everything of the machine's own ssh set-up: no {@code ~/.ssh/config} (it could name a
 * ProxyCommand, another host name or identity), no default identities or {@code known_hosts}
 * files, no ssh agent, no proxy; public-key authentication only, with the source's credential;
 * the host key checked by the source's {@link SshHostKeyCheck}. Which address the TCP connection
 * goes to is the caller's: it gives JGit a URL whose host is the address the guard checked. What
 * the server sends is limited as for https ({@code TRACEFLOW_BUILDS_MAX_FETCH_BYTES}).
 */
final class SshSessions {

    /** A server's messages on stderr: a few lines are all JGit shows. */
    private static final long MAX_STDERR_BYTES = 64 * 1024;

    private final File home;
    private final long maxResponseBytes;

    /**
     * @param home             an empty folder that stands for the user's home and {@code ~/.ssh} (nothing is read from it)
     * @param maxResponseBytes the most the server may send on one command's channel (a pack), as for https
     */
    SshSessions(Path home, long maxResponseBytes) {
        this.home = home.toFile();
        this.maxResponseBytes = maxResponseBytes;
    }

    /** The sessions of one operation; closing it releases the key cache. */
    record Factory(SshSessionFactory factory, SshdSessionFactory sshd, SshHostKeyCheck hostKeys) implements AutoCloseable {
        @Override
        public void close() {
            sshd.close();
        }
    }

    /**
     * @param privateKey the credential's private key text, or null to offer no key
     * @throws GitUnavailable when the key cannot be read (an authentication problem of the source)
     */
    Factory factory(String privateKey, SshHostKeyCheck hostKeys) {
        List<KeyPair> keys;
        try {
            keys = privateKey == null ? List.of() : SshKeys.privateKeys(privateKey);
        } catch (IllegalArgumentException e) {
            throw new GitUnavailable(GitUnavailable.Cause.AUTHENTICATION, "the source's credential: " + e.getMessage());
        }
        try {
            Files.createDirectories(home.toPath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SshdSessionFactory factory = new SshdSessionFactoryBuilder()
                .setHomeDirectory(home)
                .setSshDirectory(home)
                .setConfigStoreFactory((homeDir, configFile, localUser) -> null) // no ssh config at all
                .setDefaultKnownHostsFiles(dir -> List.of())
                .setDefaultIdentities(dir -> List.of())
                .setDefaultKeysProvider(dir -> keys)
                .setServerKeyDatabase((homeDir, sshDir) -> hostKeys)
                .setConnectorFactory(null) // no ssh agent
                .setProxyDataFactory(address -> null) // straight to the checked address, never through a proxy
                .setPreferredAuthentications("publickey")
                .build(null);
        return new Factory(new Limited(factory, maxResponseBytes), factory, hostKeys);
    }

    /** JGit's sessions, whose commands' output stops at the byte limit. */
    private static final class Limited extends SshSessionFactory {

        private final SshdSessionFactory sessions;
        private final long max;

        Limited(SshdSessionFactory sessions, long max) {
            this.sessions = sessions;
            this.max = max;
        }

        @Override
        public RemoteSession getSession(URIish uri, CredentialsProvider credentials, FS fs, int tms) throws TransportException {
            // an IPv6 address comes in brackets from the URL; Apache SSHD reads "[...]" as a known-hosts pattern
            String host = uri.getHost();
            URIish target = host != null && host.startsWith("[") && host.endsWith("]") ? uri.setHost(host.substring(1, host.length() - 1)) : uri;
            RemoteSession session = sessions.getSession(target, credentials, fs, tms);
            return new RemoteSession2() {
                @Override
                public Process exec(String command, Map<String, String> environment, int timeout) throws IOException {
                    return limited(session instanceof RemoteSession2 s2 ? s2.exec(command, environment, timeout) : session.exec(command, timeout));
                }

                @Override
                public Process exec(String command, int timeout) throws IOException {
                    return limited(session.exec(command, timeout));
                }

                @Override
                public void disconnect() {
                    session.disconnect();
                }
            };
        }

        @Override
        public String getType() {
            return sessions.getType();
        }

        private Process limited(Process p) {
            InputStream out = new LimitedInputStream(p.getInputStream(), max);
            InputStream err = new LimitedInputStream(p.getErrorStream(), MAX_STDERR_BYTES);
            return new Process() {
                @Override
                public OutputStream getOutputStream() {
                    return p.getOutputStream();
                }

                @Override
                public InputStream getInputStream() {
                    return out;
                }

                @Override
                public InputStream getErrorStream() {
                    return err;
                }

                @Override
                public int waitFor() throws InterruptedException {
                    return p.waitFor();
                }

                @Override
                public int exitValue() {
                    return p.exitValue();
                }

                @Override
                public void destroy() {
                    p.destroy();
                }
            };
        }
    }
}
