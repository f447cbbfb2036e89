package dev.traceflow.builds.internal.git;

import dev.traceflow.outbound.PinnedHttpClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.URL;
import java.time.Duration;
import java.util.Locale;

/**
 * JGit's HTTP connections for git sources: each one checked by {@link GitUrlGuard} right before it
 * opens (redirects that JGit follows too, since each hop is a new connection) and sent to exactly
 * the address the guard returned, while TLS and the Host header keep the URL's host name. The
 * client itself resolves nothing: its resolver refuses every name.
 */
final class GuardedHttpConnectionFactory implements HttpConnectionFactory, AutoCloseable {

    private final GitUrlGuard guard;
    private final CloseableHttpClient client;
    private final long maxResponseBytes;

    /**
     * @param timeout          connect, and each read of a response
     * @param maxResponseBytes the most one response may carry (a pack included); beyond it the read fails
     */
    GuardedHttpConnectionFactory(GitUrlGuard guard, Duration timeout, long maxResponseBytes) {
        this.guard = guard;
        this.maxResponseBytes = maxResponseBytes;
        // JGit follows redirects itself, through create() and so through the guard
        this.client = PinnedHttpClients.create(timeout, timeout, 20, 4);
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        return create(url, null);
    }

    /** The proxy is ignored: a proxy would resolve the name itself, past the guard. */
    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        String scheme = url.getProtocol().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IOException("refused: only http(s) git connections");
        }
        if (url.getUserInfo() != null) {
            throw new IOException("refused: credentials in the URL");
        }
        String host = url.getHost().toLowerCase(Locale.ROOT);
        if (!host.startsWith("[") && host.contains(":")) {
            host = "[" + host + "]";
        }
        GitUrl target = new GitUrl(scheme, null, host, url.getPort(), "/");
        InetAddress address;
        try {
            address = guard.requireAllowedAtConnect(target);
        } catch (GitUrlRefused e) {
            throw new IOException(e.getMessage());
        }
        return new GuardedHttpConnection(client, url, target, address, maxResponseBytes);
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
