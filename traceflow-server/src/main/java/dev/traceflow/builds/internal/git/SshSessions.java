package dev.traceflow.builds.internal.git;

import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

/**
 * JGit's Apache MINA SSHD sessions, made for one operation of one source and shut off from
 * everything of the machine's own ssh set-up: no {@code ~/.ssh/config} (it could name a
 * ProxyCommand, another host name or identity), no default identities or {@code known_hosts}
 * files, no ssh agent, no proxy; public-key authentication only, with the source's credential;
 * the host key checked by the source's {@link SshHostKeyCheck}. Which address the TCP connection
 * goes to is the caller's: it gives JGit a URL whose host is the address the guard checked.
 */
final class SshSessions {

    private final File home;

    /** @param home an empty folder that stands for the user's home and {@code ~/.ssh} (nothing is read from it) */
    SshSessions(Path home) {
        this.home = home.toFile();
    }

    /** The sessions of one operation; closing it releases the key cache. */
    record Factory(SshdSessionFactory factory, SshHostKeyCheck hostKeys) implements AutoCloseable {
        @Override
        public void close() {
            factory.close();
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
        return new Factory(factory, hostKeys);
    }
}
