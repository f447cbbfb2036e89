package dev.traceflow.benchmark;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the TraceFlow server in tests, on {@link HttpServer}: answers the benchmark's
 * TraceFlow endpoints (batch, single event, no-op) with
 * {@code 202 {"accepted":<events in body>,"rejected":0,"errors":[]}}, and the Sentry envelope
 * endpoint of project {@value #SENTRY_PROJECT} with {@code 200 {"id":..,"accepted":<event items>}}
 * when the DSN's key comes in {@code ?sentry_key=}; it remembers the event ids it saw. Behaviour
 * switches let tests provoke chunked answers, overload and closes.
 */
final class StubIngestServer implements AutoCloseable {

    static final String KEY = "stub-key";
    static final long SENTRY_PROJECT = 7;
    static final String ENVELOPE_PATH = "/api/" + SENTRY_PROJECT + "/envelope/";
    private static final Pattern EVENT_ID = Pattern.compile("\"eventId\":\"([^\"]+)\"");
    private static final Pattern SENTRY_EVENT_ID = Pattern.compile("\"event_id\":\"([^\"]+)\"");
    private static final String EVENT_ITEM = "\n{\"type\":\"event\"}\n";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    final Set<String> ingestedEventIds = ConcurrentHashMap.newKeySet();
    final AtomicLong ingestRequests = new AtomicLong();
    final AtomicLong noopRequests = new AtomicLong();
    final AtomicLong singleRequests = new AtomicLong();
    final AtomicLong envelopeRequests = new AtomicLong();
    /** Sentry event ids, the envelope headers' and the items' (a header repeats its first item's id). */
    final Set<String> sentryEventIds = ConcurrentHashMap.newKeySet();
    final AtomicLong sentryEventItems = new AtomicLong();
    volatile boolean chunked;
    volatile boolean overloaded;
    /** When > 0, every n-th answer carries Connection: close. */
    volatile int closeEvery;

    StubIngestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.createContext(IngestBenchmark.INGEST_PATH, exchange -> answer(exchange, true));
        server.createContext(IngestBenchmark.NOOP_PATH, exchange -> answer(exchange, false));
        server.createContext(EnvelopeComparison.COLLECT_SINGLE_PATH, exchange -> {
            singleRequests.incrementAndGet();
            answer(exchange, true);
        });
        server.createContext(ENVELOPE_PATH, this::envelope);
        server.setExecutor(executor);
        server.start();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange, boolean store) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            long count = (store ? ingestRequests : noopRequests).incrementAndGet();
            if (!KEY.equals(exchange.getRequestHeaders().getFirst("X-TraceFlow-Key"))) {
                send(exchange, 401, "{\"error\":\"bad key\"}");
                return;
            }
            if (overloaded) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                send(exchange, 503, "{\"error\":\"overloaded\"}");
                return;
            }
            Matcher ids = EVENT_ID.matcher(new String(body, StandardCharsets.UTF_8));
            int events = 0;
            while (ids.find()) {
                events++;
                if (store) {
                    ingestedEventIds.add(ids.group(1));
                }
            }
            if (closeEvery > 0 && count % closeEvery == 0) {
                exchange.getResponseHeaders().add("Connection", "close");
            }
            send(exchange, 202, "{\"accepted\":" + events + ",\"rejected\":0,\"errors\":[]}");
        }
    }

    private void envelope(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            envelopeRequests.incrementAndGet();
            String query = exchange.getRequestURI().getRawQuery();
            if (query == null || !("&" + query + "&").contains("&sentry_key=" + KEY + "&")) {
                send(exchange, 401, "{\"error\":\"bad key\"}");
                return;
            }
            int items = 0;
            for (int at = body.indexOf(EVENT_ITEM); at >= 0; at = body.indexOf(EVENT_ITEM, at + 1)) {
                items++;
            }
            sentryEventItems.addAndGet(items);
            Matcher ids = SENTRY_EVENT_ID.matcher(body);
            while (ids.find()) {
                sentryEventIds.add(ids.group(1));
            }
            send(exchange, 200, "{\"id\":\"x\",\"accepted\":" + items + ",\"rejected\":0}");
        }
    }

    private void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, chunked ? 0 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
