package dev.traceflow.dashboard;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code /} answers with and without a built UI, whatever this machine's build did. */
class DashboardPagesTest {

    @Test
    void withoutABuild_thePageSaysHowToBuildIt_underTheSamePolicy() {
        DashboardPages pages = new DashboardPages(new ClassPathResource("no-such-dir/index.html"));

        ResponseEntity<byte[]> answer = pages.page(new MockHttpServletRequest("GET", "/"));
        String body = new String(answer.getBody(), StandardCharsets.UTF_8);

        assertThat(pages.built()).isFalse();
        assertThat(answer.getStatusCode().value()).isEqualTo(200);
        assertThat(body).contains("was not built").contains("Node.js").contains("npm").contains("./traceflow --rebuild");
        assertThat(body).doesNotContain("<script").doesNotContain("<style").doesNotContain("style=");
        assertThat(answer.getHeaders().getFirst("Content-Security-Policy")).isEqualTo(DashboardPages.CONTENT_SECURITY_POLICY);
        assertThat(answer.getHeaders().getCacheControl()).contains("no-store");
    }

    @Test
    void withABuild_everyPageIsItsIndexHtml() {
        byte[] index = "<!doctype html><div id=\"app\"></div>".getBytes(StandardCharsets.UTF_8);
        DashboardPages pages = new DashboardPages(new ByteArrayResource(index));

        ResponseEntity<byte[]> answer = pages.page(new MockHttpServletRequest("GET", "/apps/shop/errors/7"));

        assertThat(pages.built()).isTrue();
        assertThat(answer.getBody()).isEqualTo(index);
        assertThat(answer.getHeaders().getContentType().toString()).startsWith("text/html");
    }
}
