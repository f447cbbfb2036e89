package dev.traceflow.builds.internal.git;

/**
 * What a git server is shown: an HTTPS token (sent as the password of {@code username}). Never
 * printed: {@link #toString} hides the secret.
 */
public record GitAuth(String username, String secret) {

    @Override
    public String toString() {
        return "GitAuth[username=" + username + ", secret=***]";
    }
}
