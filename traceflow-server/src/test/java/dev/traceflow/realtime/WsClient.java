package dev.traceflow.realtime;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A test's WebSocket client of {@code /ws} (the JDK's): what it received, parsed, and how it was closed. */
final class WsClient implements WebSocket.Listener {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    /** The handshake's refusal: status and body. */
    record Refusal(int status, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** @param headers name, value, ... */
    static WsClient connect(int port, String query, String... headers) {
        WsClient client = new WsClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        client.socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + query), client).join();
        return client;
    }

    /** A handshake the server is expected to refuse. */
    static Refusal refused(int port, String query, String... headers) {
        try {
            WsClient c = connect(port, query, headers);
            c.socket.abort();
            throw new AssertionError("the handshake was accepted");
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                Object body = h.getResponse().body();
                return new Refusal(h.getResponse().statusCode(), body == null ? "" : body.toString());
            }
            throw e;
        }
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next message that matches, waiting for it (generously: this is a condition, not a timing). */
    JsonNode next(Predicate<JsonNode> matching) {
        try {
            while (true) {
                JsonNode m = received.poll(20, TimeUnit.SECONDS);
                if (m == null) {
                    throw new AssertionError("no matching message came");
                }
                if (matching.test(m)) {
                    return m;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    JsonNode next(String type) {
        return next(m -> m.path("type").asString().equals(type));
    }

    int awaitClose() {
        return closed.orTimeout(20, TimeUnit.SECONDS).join();
    }

    void close() {
        socket.abort();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            received.add(JSON.readTree(partial.toString()));
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }
}
