package dev.traceflow.builds.internal.git;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SSH keys as they are stored: a credential's private key (OpenSSH or PEM text, no passphrase: the
 * master key seals it instead) and a git source's host key ({@code <type> <base64>}, as in
 * {@code known_hosts} or {@code ssh-keyscan} without the host). Read by Apache SSHD, with Bouncy
 * Castle for Ed25519.
 */
public final class SshKeys {

    private static final NamedResource CREDENTIAL = NamedResource.ofName("credential");

    private SshKeys() {
    }

    /**
     * The key pairs of a private key text.
     *
     * @throws IllegalArgumentException a sentence for the admin (never the key) when it cannot be read
     */
    public static List<KeyPair> privateKeys(String text) {
        List<KeyPair> keys = new ArrayList<>();
        try {
            // a passphrase prompt answers "no passphrase": an encrypted key fails here instead of blocking
            Iterable<KeyPair> read = SecurityUtils.loadKeyPairIdentities(null, CREDENTIAL,
                    new ByteArrayInputStream(text.strip().concat("\n").getBytes(StandardCharsets.US_ASCII)), FilePasswordProvider.EMPTY);
            if (read != null) {
                read.forEach(keys::add);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("passphrase") || m.contains("password") || m.contains("encrypt")) {
                throw new IllegalArgumentException("the ssh key is protected by a passphrase: store it without one "
                        + "(ssh-keygen -p -N ''); the server seals it with the master key instead");
            }
            throw new IllegalArgumentException("the ssh key could not be read (" + e.getClass().getSimpleName()
                    + "): give an OpenSSH or PEM private key of type ed25519, ecdsa or rsa");
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("the text holds no ssh private key");
        }
        return keys;
    }

    /**
     * A public key from its one-line form, {@code <type> <base64> [comment]}.
     *
     * @throws IllegalArgumentException a sentence for the admin when it is not one
     */
    public static PublicKey publicKey(String line) {
        if (line == null || line.isBlank() || line.length() > 8192 || line.strip().contains("\n")) {
            throw new IllegalArgumentException("give the host key on one line, as \"<type> <base64>\" (e.g. from ssh-keyscan)");
        }
        try {
            PublicKeyEntry entry = PublicKeyEntry.parsePublicKeyEntry(line.strip());
            PublicKey key = entry == null ? null : entry.resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
            if (key == null) {
                throw new IllegalArgumentException("no key");
            }
            return key;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("the host key is not an ssh public key \"<type> <base64>\" of a known type");
        }
    }

    /** The key's one-line form without a comment: what is stored. */
    public static String line(PublicKey key) {
        return PublicKeyEntry.toString(key);
    }

    /** {@code SHA256:<base64>}, as {@code ssh-keygen -l} shows it. */
    public static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(key);
    }

    static boolean same(PublicKey a, PublicKey b) {
        return KeyUtils.compareKeys(a, b);
    }
}
