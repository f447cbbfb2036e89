package dev.traceflow.builds.internal.git;

import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.List;

/**
 * Which host key an ssh git server must show, for one git source. The known key is the source's
 * own ({@code sshHostKey}, given by an admin or recorded at the first connection), never a
 * {@code known_hosts} file: the connection goes to an IP address the guard checked, so a host-name
 * keyed file would not fit, and a key per source cannot leak from one source to another.
 *
 * <p>Without a known key, the first connection trusts the key it is shown when trust on first
 * use is on ({@code TRACEFLOW_BUILDS_SSH_TRUST_ON_FIRST_USE}, default true) and the caller records
 * it ({@link #firstSeenKey}); from then on any other key is refused. With it off, a source without
 * a key is refused until an admin gives one.
 */
public final class SshHostKeyCheck implements ServerKeyDatabase {

    private final PublicKey known;
    private final boolean trustOnFirstUse;
    private volatile PublicKey shown;
    private volatile boolean refused;

    private SshHostKeyCheck(PublicKey known, boolean trustOnFirstUse) {
        this.known = known;
        this.trustOnFirstUse = trustOnFirstUse;
    }

    /**
     * @param knownKey        the source's stored host key line, or null when none is recorded yet
     * @param trustOnFirstUse whether a source without a key takes the first one it is shown
     */
    public static SshHostKeyCheck of(String knownKey, boolean trustOnFirstUse) {
        return new SshHostKeyCheck(knownKey == null ? null : SshKeys.publicKey(knownKey), trustOnFirstUse);
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
        return known == null ? List.of() : List.of(known);
    }

    @Override
    public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey, Configuration config,
                          CredentialsProvider provider) {
        shown = serverKey;
        boolean ok = known != null ? SshKeys.same(known, serverKey) : trustOnFirstUse;
        refused = !ok;
        return ok;
    }

    /** Whether the server showed a key that was refused (the connection then failed for that). */
    public boolean refused() {
        return refused;
    }

    /** The key shown and accepted on first use, to record on the source; null otherwise. */
    public String firstSeenKey() {
        PublicKey k = shown;
        return known == null && k != null && !refused ? SshKeys.line(k) : null;
    }

    /** Why the key was refused, in a sentence for the admin. */
    String problem() {
        PublicKey k = shown;
        String seen = k == null ? "an unknown key" : SshKeys.fingerprint(k);
        if (known == null) {
            return "the ssh server's host key " + seen + " is not known for this source, and trust on first use is off: "
                    + "set the source's sshHostKey (e.g. from ssh-keyscan)";
        }
        return "the ssh server's host key " + seen + " is not the one recorded for this source (" + SshKeys.fingerprint(known)
                + "): if the server's key was changed on purpose, set the source's sshHostKey to the new key";
    }
}
