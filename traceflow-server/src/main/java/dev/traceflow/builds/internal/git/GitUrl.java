package dev.traceflow.builds.internal.git;

/**
 * A git repository URL as {@link GitUrlGuard} accepted it: https, ssh, or (only inside the
 * operator's allowed networks) plain http; the host in plain form, never credentials.
 *
 * @param scheme {@code https}, {@code http} or {@code ssh}
 * @param user   ssh only: the login name ({@code git}), never a password; else null
 * @param host   the host as the guard normalised it (lower case, punycode, dotted IPv4, IPv6 in brackets)
 * @param port   the URL's port, or -1 for the scheme's default
 * @param path   the repository path, starting with {@code /}
 */
public record GitUrl(String scheme, String user, String host, int port, String path) {

    /** The URL to store, show and connect to. */
    @Override
    public String toString() {
        return scheme + "://" + (user == null ? "" : user + "@") + host + (port < 0 ? "" : ":" + port) + path;
    }

    /** The port the connection goes to. */
    public int effectivePort() {
        return port >= 0 ? port : switch (scheme) {
            case "https" -> 443;
            case "http" -> 80;
            default -> 22;
        };
    }

    /** The host without IPv6 brackets (for TLS and the Host header). */
    public String bareHost() {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
