package dev.traceflow.ingest;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IngestRepliesTest {

    @Test
    void accepted_writesThe202AsJsonWithItsLength() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        IngestReplies.accepted(response, new IngestResponse(2, 1, List.of(new IngestResponse.Error(1, "BOT", "a bot"))));
        assertThat(response.getStatus()).isEqualTo(202);
        assertThat(response.getContentType()).startsWith("application/json");
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(body).isEqualTo("{\"accepted\":2,\"rejected\":1,\"errors\":[{\"index\":1,\"code\":\"BOT\",\"message\":\"a bot\"}]}");
        assertThat(response.getContentLength()).isEqualTo(body.length());
    }

    /** The events are durable before the answer: a client gone by then is no server error. */
    @Test
    void accepted_aClientGoneBeforeItsAnswerIsNotAnError() {
        MockHttpServletResponse response = new MockHttpServletResponse() {
            @Override
            public ServletOutputStream getOutputStream() {
                return new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        throw new IOException("Broken pipe");
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        throw new IOException("Broken pipe");
                    }

                    @Override
                    public boolean isReady() {
                        return true;
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                    }
                };
            }
        };
        IngestReplies.accepted(response, new IngestResponse(50, 0, List.of()));
        assertThat(response.getStatus()).isEqualTo(202);
    }
}
