package dev.traceflow.builds.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A worker process's metrics for Prometheus (worker mode has no web server): {@code GET /metrics} in the Prometheus
 * text format, on {@code TRACEFLOW_WORKER_METRICS_PORT} of {@code TRACEFLOW_WORKER_METRICS_ADDRESS} (127.0.0.1 by
 * default), and nothing else. Off unless a port is set. Pulled rather than pushed to the server with the heartbeats:
 * a worker heartbeats only while it runs a build, so an idle or stuck worker, the one to look at, would go silent;
 * and the figures stay the worker's own process's, as Prometheus expects of a target.
 *
 * <p>No credential: the figures carry no secret (no token, URL or build input, only counts and times by status,
 * reason and step), and the default address keeps them on the machine; bind another address only on a network
 * that may read them.
 */
final class WorkerMetricsEndpoint implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerMetricsEndpoint.class);
    static final String PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final String address;
    private final Integer port;
    private HttpServer server;
    private ExecutorService executor;

    /** @param port null for no endpoint; 0 for any free port ({@link #port()} tells which) */
    WorkerMetricsEndpoint(PrometheusMeterRegistry registry, String address, Integer port) {
        this.registry = registry;
        this.address = address;
        this.port = port;
    }

    @Override
    public synchronized void start() {
        if (port == null || server != null) {
            return;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("the worker's metrics cannot listen on " + address + ":" + port, e);
        }
        server.createContext("/", this::answer);
        // one thread: a scrape is a few kilobytes every few seconds, and it never competes with the builds' threads
        executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("worker-metrics").daemon(true).factory());
        server.setExecutor(executor);
        server.start();
        log.atInfo().addKeyValue("address", server.getAddress().getHostString()).addKeyValue("port", server.getAddress().getPort())
                .log("worker metrics served at " + PATH);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                exchange.sendResponseHeaders(404, -1);
            } else if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
            } else {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The port it listens on, or -1 when it does not. */
    synchronized int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return server != null;
    }
}
