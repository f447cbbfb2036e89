package dev.traceflow.builds.internal.git;

import dev.traceflow.outbound.OutboundGuard;
import dev.traceflow.outbound.OutboundRefused;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The SSRF guard for git URLs: what {@link OutboundGuard} checks for webhooks (the host's every
 * address public unless the operator allows its network, in any spelling of the address), plus
 * git's own ways past it. Only https and ssh (scp-like {@code git@host:path} is read as ssh);
 * plain http only when the address lies in {@code TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS}; never
 * {@code file:}, {@code git:}, {@code ext::} or another transport helper, local paths, bundles,
 * credentials, a query or a fragment in the URL, or names that start with {@code -} (read as
 * options by ssh).
 *
 * <p>Check with {@link #requireAllowed} when a URL is saved and with {@link #requireAllowedAtConnect}
 * before each connection, which must go to the address it returns.
 */
public final class GitUrlGuard {

    static final int MAX_LENGTH = 2048;

    /** {@code user@host:path} (scp-like); the host is no single letter (a Windows drive). */
    private static final Pattern SCP_LIKE = Pattern.compile("(?:([^@/:]+)@)?([^@/:\\[\\]]{2,}|\\[[^\\]]+\\]):(?!//)(.*)");
    /** {@code <transport>::<address>}: git's remote helpers (ext::, fd::, any installed one). */
    private static final Pattern TRANSPORT_HELPER = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*::");
    private static final Pattern SSH_USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]{0,63}");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*");

    private final OutboundGuard outbound;

    public GitUrlGuard(OutboundGuard outbound) {
        this.outbound = outbound;
    }

    /**
     * Checks a URL as a user gives it.
     *
     * @return the URL in its plain form, to store
     * @throws GitUrlRefused why the URL is refused, in a sentence for the user (no credentials in it)
     */
    public GitUrl requireAllowed(String url) {
        GitUrl parsed = parse(url);
        try {
            requireAllowedAtConnect(parsed);
        } catch (UnknownHostException e) {
            throw new GitUrlRefused("host does not resolve", "its host " + parsed.host() + " does not resolve");
        }
        return parsed;
    }

    /**
     * Checks a stored URL again right before connecting, resolving its host anew.
     *
     * @return the address to connect to (and no other)
     * @throws GitUrlRefused       when the address is internal, or plain http leaves the allowed networks
     * @throws UnknownHostException when the host does not resolve now
     */
    public InetAddress requireAllowedAtConnect(GitUrl url) throws UnknownHostException {
        // the webhook guard reads hosts of http(s) URLs: ask it about this host as one
        URI probe = URI.create("https://" + url.host() + ":" + url.effectivePort() + "/");
        InetAddress address;
        try {
            address = outbound.requireAllowedAtConnect(probe);
        } catch (OutboundRefused e) {
            throw GitUrlRefused.of(e);
        }
        if (url.scheme().equals("http") && !outbound.inAllowedNetwork(address)) {
            throw new GitUrlRefused("plain http", "plain http:// is only for the networks in TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS; "
                    + "use https:// or ssh://");
        }
        return address;
    }

    /**
     * A URL this guard accepted before (a stored one), taken apart again without a look-up: to
     * compare it, not to connect (use {@link #requireAllowedAtConnect} for that).
     */
    public GitUrl parseStored(String url) {
        return parse(url);
    }

    /** The URL taken apart, before any look-up. */
    GitUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new GitUrlRefused("not a URL", "the URL is empty");
        }
        if (url.length() > MAX_LENGTH) {
            throw new GitUrlRefused("URL too long", "the URL is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '\\') {
                throw new GitUrlRefused("not a URL", "the URL may not contain spaces, control characters or backslashes");
            }
        }
        if (TRANSPORT_HELPER.matcher(url).lookingAt()) {
            // git's transport helpers (ext::cmd, fd::...) run commands or open descriptors
            throw new GitUrlRefused("transport helper", "transport helpers such as ext:: are not allowed");
        }
        String text = url;
        if (!text.contains("://")) {
            var scp = SCP_LIKE.matcher(text);
            if (text.startsWith("/") || text.startsWith(".") || !scp.matches()) {
                throw new GitUrlRefused("local path", "local paths are not allowed: give an https:// or ssh:// URL");
            }
            String path = scp.group(3).startsWith("/") ? scp.group(3) : "/" + scp.group(3);
            text = "ssh://" + (scp.group(1) == null ? "" : scp.group(1) + "@") + scp.group(2) + path;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new GitUrlRefused("not a URL", "the URL is not valid");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") && !scheme.equals("ssh")) {
            throw new GitUrlRefused("scheme", "only https:// and ssh:// git URLs are allowed (plain http:// inside allowed networks), not "
                    + (scheme.isEmpty() ? "this" : scheme + ":"));
        }
        String authority = uri.getRawAuthority();
        if (uri.isOpaque() || authority == null || authority.isEmpty()) {
            throw new GitUrlRefused("no host", "the URL has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new GitUrlRefused("query", "a git URL may not have a ?query or #fragment");
        }
        String user = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            if (!scheme.equals("ssh") || userInfo.contains(":")) {
                throw new GitUrlRefused("credentials in the URL", "the URL may not contain credentials (user:password@ or a token): "
                        + "store them as a credential and name it in credentialId");
            }
            if (!SSH_USER.matcher(userInfo).matches()) {
                throw new GitUrlRefused("invalid user", "the ssh user name is not valid");
            }
            user = userInfo;
            authority = authority.substring(at + 1);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (!PATH.matcher(path).matches() || path.equals("/")) {
            throw new GitUrlRefused("invalid path", "the URL names no repository path");
        }
        if (path.toLowerCase(Locale.ROOT).endsWith(".bundle")) {
            throw new GitUrlRefused("bundle", "git bundles are not allowed: give the repository's URL");
        }
        // the host and port, read by the webhook guard's URL parser (every spelling of an address)
        URI hostOnly;
        try {
            hostOnly = outbound.normalize("https://" + authority + "/");
        } catch (OutboundRefused e) {
            throw GitUrlRefused.of(e);
        }
        String host = hostOnly.getHost();
        if (host.startsWith("-")) {
            throw new GitUrlRefused("invalid host", "the URL's host is no valid host name");
        }
        return new GitUrl(scheme, user, host, hostOnly.getPort(), path);
    }
}
