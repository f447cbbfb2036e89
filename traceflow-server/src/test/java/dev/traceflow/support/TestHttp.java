package dev.traceflow.support;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A thin HTTP client for tests: raw bytes in, status + headers + parsed JSON out. */
public final class TestHttp {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final String base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public TestHttp(String base) {
        this.base = base;
    }

    public String base() {
        return base;
    }

    /** @param headers name, value, name, value... */
    public Response post(String path, byte[] body, String... headers) {
        return send("POST", path, body, headers);
    }

    public Response post(String path, String body, String... headers) {
        return send("POST", path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    public Response get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    public Response send(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r, new String(r.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Response(int status, HttpResponse<byte[]> raw, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        /** The {@code code} of each entry of {@code errors} (ingest answers). */
        public List<String> errorCodes() {
            List<String> codes = new ArrayList<>();
            json().path("errors").forEach(e -> codes.add(e.path("code").asString()));
            return codes;
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
