package dev.traceflow.alerts;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.outbound.PinnedHttpClients;
import dev.traceflow.outbound.OutboundGuard;
import dev.traceflow.outbound.OutboundRefused;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One webhook attempt: a signed JSON POST to the address {@link OutboundGuard} checked just before,
 * without redirects, within the connect and request timeouts. The connection goes to that checked
 * address (the client resolves nothing: its resolver refuses every name), while the Host header,
 * TLS SNI and certificate check use the URL's host name.
 */
final class WebhookPoster implements AutoCloseable {

    static final String USER_AGENT = "TraceFlow-Alerts/1";
    static final String DELIVERY_HEADER = "X-TraceFlow-Delivery";
    /** Enough of a response to free the connection politely; the content itself is not used. */
    static final int MAX_RESPONSE_BYTES = 4096;

    private static final ContentType JSON = ContentType.create("application/json");

    private final OutboundGuard guard;
    private final ScheduledExecutorService timers;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final CloseableHttpClient client;

    /**
     * @param timers runs the whole-request deadline of each attempt
     */
    WebhookPoster(OutboundGuard guard, TraceFlowProperties.Delivery settings, ScheduledExecutorService timers) {
        this.guard = guard;
        this.timers = timers;
        this.connectTimeout = settings.connectTimeout();
        this.requestTimeout = settings.requestTimeout();
        // a receiver that moved answers 3xx, recorded as final; AlertSender retries, with backoff and a record of each attempt
        this.client = PinnedHttpClients.create(connectTimeout, requestTimeout, settings.threads(), settings.threads());
    }

    /**
     * @param at the attempt's time: the signature's {@code t}
     */
    AttemptOutcome post(String deliveryId, ChannelTarget.Webhook target, String jsonBody, Instant at) {
        URI url = target.url();
        InetAddress address;
        try {
            address = guard.requireAllowedAtConnect(url);
        } catch (OutboundRefused e) {
            return AttemptOutcome.giveUp("refused: " + e.reason());
        } catch (UnknownHostException e) {
            return AttemptOutcome.retry("host does not resolve");
        }
        String hostName = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
        HttpHost pinned = new HttpHost(url.getScheme(), address, hostName, port(url));

        byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
        HttpPost post = new HttpPost(url);
        post.setHeader("User-Agent", USER_AGENT);
        post.setHeader(DELIVERY_HEADER, deliveryId);
        post.setHeader(WebhookSignature.HEADER, WebhookSignature.sign(target.secret(), at.getEpochSecond(), body));
        post.setEntity(new ByteArrayEntity(body, JSON));

        // the socket timeout bounds each read; this bounds the whole exchange, a slow trickle included
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = timers.schedule(() -> {
            timedOut.set(true);
            post.cancel();
        }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ClassicHttpResponse response = null;
        try {
            response = client.executeOpen(pinned, post, HttpClientContext.create());
            int status = response.getCode();
            skim(response.getEntity(), post);
            return judge(status, response.getFirstHeader("Retry-After"), at);
        } catch (IOException e) {
            return AttemptOutcome.retry(timedOut.get() ? "timeout after " + seconds(requestTimeout) : describe(e));
        } finally {
            deadline.cancel(false);
            if (response != null) {
                try {
                    response.close();
                } catch (IOException | RuntimeException ignored) {
                    // the answer is known; a connection that fails to close is discarded by the pool
                }
            }
        }
    }

    /**
     * 2xx delivered; 408, 429, 5xx retried (429 and 503 after the receiver's Retry-After);
     * 3xx and other 4xx final.
     */
    static AttemptOutcome judge(int status, Header retryAfter, Instant now) {
        String detail = "HTTP " + status;
        if (status >= 200 && status < 300) {
            return AttemptOutcome.delivered(detail);
        }
        if (status >= 300 && status < 400) {
            return AttemptOutcome.giveUp(detail + " (redirects are not followed)");
        }
        if (status == 429 || status == 503) {
            return AttemptOutcome.retry(detail, retryAfter == null ? null : retryAfter(retryAfter.getValue(), now));
        }
        if (status == 408 || status >= 500) {
            return AttemptOutcome.retry(detail);
        }
        return AttemptOutcome.giveUp(detail);
    }

    /** {@code Retry-After} as seconds or an HTTP date; null when it is neither. */
    static Duration retryAfter(String value, Instant now) {
        String v = value.strip();
        if (!v.isEmpty() && v.length() <= 10 && v.chars().allMatch(Character::isDigit)) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Reads a little of the response; a longer one is cut off (its connection closed) rather than drained. */
    private static void skim(HttpEntity entity, HttpPost post) {
        if (entity == null) {
            return;
        }
        try (InputStream in = entity.getContent()) {
            if (in.readNBytes(MAX_RESPONSE_BYTES).length == MAX_RESPONSE_BYTES && in.read() >= 0) {
                post.cancel();
            }
        } catch (IOException | RuntimeException ignored) {
            // the status is what counts
        }
    }

    private String describe(IOException e) {
        if (e instanceof ConnectTimeoutException) {
            return "connect timeout after " + seconds(connectTimeout);
        }
        if (e instanceof SocketTimeoutException) {
            return "timeout after " + seconds(requestTimeout);
        }
        if (e instanceof ConnectException) {
            return "could not connect";
        }
        if (e instanceof NoHttpResponseException) {
            return "no response";
        }
        if (e instanceof SSLException) {
            return "TLS failed";
        }
        // the message names the URL (with its path) in some exceptions: the type says enough
        return "connection failed (" + e.getClass().getSimpleName() + ")";
    }

    private static int port(URI url) {
        return url.getPort() >= 0 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
