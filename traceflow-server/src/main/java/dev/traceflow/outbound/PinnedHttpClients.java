package dev.traceflow.outbound;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.time.Duration;

/**
 * The one way the server builds an HTTP client for connections made on a user's behalf (alert
 * webhooks, git sources): it resolves no names ({@link NoDnsResolver}: requests go to the address
 * {@link OutboundGuard} checked), follows no redirects (a redirect would lead past the guard; a
 * caller that follows them checks each hop itself), retries nothing (callers retry with their own
 * backoff and record), and keeps no cookies, auth cache or transparent decompression.
 */
public final class PinnedHttpClients {

    private PinnedHttpClients() {
    }

    /**
     * @param connectTimeout connecting
     * @param readTimeout    each read of a response, and waiting for the response and for a pooled connection
     * @param maxConnections connections in the pool, in all and per route
     */
    public static CloseableHttpClient create(Duration connectTimeout, Duration readTimeout, int maxConnections,
                                             int maxConnectionsPerRoute) {
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(NoDnsResolver.INSTANCE)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(readTimeout))
                        .setTimeToLive(TimeValue.ofMinutes(1))
                        .build())
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnectionsPerRoute)
                .build();
        return HttpClients.custom()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(readTimeout))
                        .setConnectionRequestTimeout(Timeout.of(readTimeout))
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .build();
    }
}
