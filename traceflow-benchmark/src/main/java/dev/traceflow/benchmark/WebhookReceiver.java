package dev.traceflow.benchmark;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A webhook receiver on loopback for the alert benchmark: notes when each alert arrives (after its
 * body is read, before answering 200), keyed by the trial marker its body mentions, and checks the
 * {@code X-TraceFlow-Signature} as README "Alert webhooks" tells receivers to.
 */
final class WebhookReceiver implements AutoCloseable {

    static final String PATH = "/alerts";
    private static final int MAX_BODY_BYTES = 1 << 20;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final byte[] secret;
    private final Pattern marker;
    private final Map<String, Arrival> arrivals = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong badSignatures = new AtomicLong();
    private final AtomicLong unmatched = new AtomicLong();

    /** When a trial's alert arrived ({@link System#nanoTime}) and whether its signature held. */
    record Arrival(long nanos, boolean signed) {
    }

    /**
     * @param secret the channel's signing secret
     * @param marker finds the trial a delivery is about in its body; its first match is the key
     */
    WebhookReceiver(String secret, Pattern marker) throws IOException {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.marker = marker;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext(PATH, this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The URL to give the channel. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY_BYTES);
            }
            long now = System.nanoTime();
            received.incrementAndGet();
            boolean signed = verify(exchange.getRequestHeaders().getFirst("X-TraceFlow-Signature"), body);
            if (!signed) {
                badSignatures.incrementAndGet();
            }
            Matcher m = marker.matcher(new String(body, StandardCharsets.UTF_8));
            if (m.find()) {
                // a retried delivery keeps the first arrival
                arrivals.putIfAbsent(m.group(), new Arrival(now, signed));
                waiting.computeIfAbsent(m.group(), k -> new CountDownLatch(1)).countDown();
            } else {
                unmatched.incrementAndGet();
            }
            exchange.sendResponseHeaders(200, -1);
        }
    }

    /**
     * Whether {@code header} ({@code t=<seconds>,v1=<hex>[,v1=<hex>...]}) signs {@code body} with the
     * secret: any {@code v1} may match, as README's receiver code accepts (a server may sign with a
     * new and an old secret while they are swapped). How old {@code t} is, is not checked here: the
     * harness is the only sender on its loopback port.
     */
    boolean verify(String header, byte[] body) {
        if (header == null) {
            return false;
        }
        String t = null;
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].equals("t")) {
                t = kv[1];
            } else if (kv.length == 2 && kv[0].equals("v1")) {
                signatures.add(kv[1]);
            }
        }
        if (t == null || t.isEmpty()) {
            return false;
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
        return signatures.stream().anyMatch(v1 -> MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Waits for the alert about {@code key}; null when none arrived within {@code timeout}. */
    Arrival await(String key, Duration timeout) throws InterruptedException {
        CountDownLatch latch = waiting.computeIfAbsent(key, k -> new CountDownLatch(1));
        return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS) ? arrivals.get(key) : null;
    }

    long received() {
        return received.get();
    }

    long badSignatures() {
        return badSignatures.get();
    }

    /** Deliveries whose body named no trial. */
    long unmatched() {
        return unmatched.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
