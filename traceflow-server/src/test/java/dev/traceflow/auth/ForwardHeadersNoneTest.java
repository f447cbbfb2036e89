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
 * README: {@code TRACEFLOW_FORWARD_HEADERS=none} never trusts X-Forwarded-For, for a server that
 * faces clients on a private network directly (where any client could claim any address). Set by
 * its environment name, as an operator would; a server of its own, in its own folder.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "TRACEFLOW_FORWARD_HEADERS=none")
class ForwardHeadersNoneTest {

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
    void forwardHeadersNone_ignoresXForwardedFor_evenFromLoopback() {
        TestHttp http = new TestHttp("http://127.0.0.1:" + port);
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "203.0.113.7")).isEqualTo("127.0.0.1");
    }
}
