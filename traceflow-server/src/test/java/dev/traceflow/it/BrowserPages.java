package dev.traceflow.it;

import com.sun.net.httpserver.HttpServer;
import dev.traceflow.support.Requirements;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pages served on loopback and opened by Debian's headless Chromium, for the ITs that test what a
 * real browser does (BrowserIngestIT, SentrySdkIT). A page tells the test what it saw by POSTing a
 * JSON report to its own server's {@code /report}; the test waits for it. Closing ends the browser
 * with every process it started, and the page servers.
 */
final class BrowserPages implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path profile;
    private final List<HttpServer> servers = new ArrayList<>();
    private final BlockingQueue<String> reports = new ArrayBlockingQueue<>(4);
    private Process browser;

    /** @param profile an empty directory for the browser's profile; its log goes beside it */
    BrowserPages(Path profile) {
        this.profile = profile;
    }

    /** Fails under CI=true, skips elsewhere, when Chromium is not installed. */
    static void requireChromium() {
        Requirements.require(Files.isExecutable(CHROMIUM), "Debian's chromium at " + CHROMIUM + " (apt-get install chromium)");
    }

    /** A page server on loopback whose POST /report hands the page's report to {@link #awaitReport}. */
    HttpServer pageServer() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/report", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                reports.offer(new String(in.readAllBytes(), UTF_8));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server;
    }

    static void serve(HttpServer server, String path, String contentType, byte[] body) {
        server.createContext(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }

    static String origin(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A file of {@code src/test/resources/browser}. */
    static byte[] resource(String name) throws IOException {
        try (InputStream in = BrowserPages.class.getResourceAsStream("/browser/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Opens {@code url} in a new headless Chromium, with {@code extraFlags} (a user agent, say). */
    void open(String url, String... extraFlags) throws IOException {
        // the flags the machine's notes give for headless Chromium on a closed network, as root
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync"));
        command.addAll(List.of(extraFlags));
        command.add("--user-data-dir=" + profile);
        command.add(url);
        browser = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(profile.resolveSibling(profile.getFileName() + ".log").toFile())
                .start();
    }

    /** The next report a page sent, failing the test when none comes within {@code limit}. */
    JsonNode awaitReport(Duration limit) throws InterruptedException {
        String report = reports.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(report).as("the page's report within " + limit.toSeconds() + " s").isNotNull();
        return JSON.readTree(report);
    }

    @Override
    public void close() throws InterruptedException {
        if (browser != null) {
            browser.descendants().forEach(ProcessHandle::destroyForcibly);
            browser.destroyForcibly();
            browser.waitFor(30, TimeUnit.SECONDS);
        }
        servers.forEach(server -> server.stop(0));
    }
}
