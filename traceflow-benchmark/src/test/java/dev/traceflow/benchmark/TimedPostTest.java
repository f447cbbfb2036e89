package dev.traceflow.benchmark;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class TimedPostTest {

    private final HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    /** seconds the stub's tokens live: under ApiClient's renewal margin (60 s) makes it log in before every request */
    private volatile int tokenLifetime = 900;
    /** the stub ends the connection after every this many answers (0: never) */
    private volatile int closeEvery;

    TimedPostTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/auth/login", exchange -> {
            exchange.getRequestBody().readAllBytes();
            send(exchange, "{\"accessToken\":\"token-" + logins.incrementAndGet() + "\",\"expiresIn\":" + tokenLifetime + "}", false);
        });
        server.createContext("/configs/c-1/validate", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int n = answered.incrementAndGet();
            send(exchange, "{\"valid\":true,\"n\":" + n + "}", closeEvery > 0 && n % closeEvery == 0);
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void send(HttpExchange exchange, String json, boolean close) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (close) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private TimedPost post(ApiClient api) {
        return new TimedPost(api, new InetSocketAddress("127.0.0.1", server.getAddress().getPort()), "/configs/c-1/validate", "{\"a\":1}");
    }

    private ApiClient api() {
        return new ApiClient("http://127.0.0.1:" + server.getAddress().getPort(), "secret");
    }

    @Test
    void send_postsTheBodyWithTheUsersToken_overOneKeptAliveConnection() throws Exception {
        try (ApiClient api = api(); TimedPost post = post(api)) {
            for (int i = 1; i <= 3; i++) {
                ApiClient.Answer answer = post.send();
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.json().path("n").asInt()).isEqualTo(i);
                assertThat(answer.millis()).isPositive();
            }
            assertThat(post.connections()).isEqualTo(1);
        }
        assertThat(authorizations).containsExactly("Bearer token-1", "Bearer token-1", "Bearer token-1");
        assertThat(bodies).containsOnly("{\"a\":1}");
        assertThat(logins).hasValue(1);
    }

    @Test
    void send_carriesTheNewToken_afterTheClientLoggedInAgain() throws Exception {
        tokenLifetime = 30;
        try (ApiClient api = api(); TimedPost post = post(api)) {
            post.send();
            post.send();
        }
        assertThat(authorizations).containsExactly("Bearer token-1", "Bearer token-2");
    }

    @Test
    void send_opensANewConnection_afterTheServerEndedOne() throws Exception {
        closeEvery = 2;
        try (ApiClient api = api(); TimedPost post = post(api)) {
            for (int i = 0; i < 5; i++) {
                assertThat(post.send().status()).isEqualTo(200);
            }
            assertThat(post.connections()).isEqualTo(3);
        }
        assertThat(answered).hasValue(5);
    }
}
