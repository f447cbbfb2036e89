package dev.traceflow.builds.internal.git;

/**
 * What a git server is shown: an HTTPS token (sent as the password of {@code username}), or an
 * SSH private key (OpenSSH or PEM text; {@code username} the ssh login when the URL names none).
 * Never printed: {@link #toString} hides the secret.
 */
public record GitAuth(String username, String secret, boolean sshKey) {

    /** An HTTPS token. */
    public GitAuth(String username, String secret) {
        this(username, secret, false);
    }

    public static GitAuth sshKey(String username, String privateKey) {
        return new GitAuth(username, privateKey, true);
    }

    @Override
    public String toString() {
        return "GitAuth[username=" + username + ", " + (sshKey ? "ssh key" : "token") + "=***]";
    }
}
