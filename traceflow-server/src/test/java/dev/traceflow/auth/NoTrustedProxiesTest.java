package dev.traceflow.auth;

import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README: with no {@code TRACEFLOW_TRUSTED_PROXIES} (the default) X-Forwarded-For is never believed,
 * not even from loopback or a private network, where any client could otherwise claim any address.
 * The retired {@code TRACEFLOW_FORWARD_HEADERS=native} (which trusted every private-network peer)
 * changes nothing. A server of its own, in its own folder.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "TRACEFLOW_FORWARD_HEADERS=native")
class NoTrustedProxiesTest {

    @DynamicPropertySource
    static void ownDataDir(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("traceflow-forward-none-");
        registry.add("traceflow.data-dir", dir::toString);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("metadata"));
        registry.add("traceflow.auth.bcrypt-strength", () -> "4");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    void noProxyListed_ignoresXForwardedFor_evenFromLoopback() {
        TestHttp http = new TestHttp("http://127.0.0.1:" + port);
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "203.0.113.7")).isEqualTo("127.0.0.1");
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "10.0.0.1, 203.0.113.7")).isEqualTo("127.0.0.1");
    }

    /** A spoofed header cannot give a guesser a fresh per-IP budget for every attempt. */
    @Test
    void noProxyListed_spoofedAddresses_shareThePeersLoginBudget() {
        TestHttp http = new TestHttp("http://127.0.0.1:" + port);
        int refused = 0;
        for (int i = 0; i < 31; i++) { // 30 attempts per minute per IP by default
            TestHttp.Response r = http.post("/auth/login", "{\"username\":\"spoof-" + i + "\",\"password\":\"whatever-pass\"}",
                    "Content-Type", "application/json", "X-Forwarded-For", "203.0.113." + (i + 1));
            refused += r.status() == 429 ? 1 : 0;
        }
        assertThat(refused).as("attempts past the one real peer's 30").isPositive();
    }
}
