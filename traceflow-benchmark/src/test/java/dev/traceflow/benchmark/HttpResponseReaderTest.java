package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpResponseReaderTest {

    private static final String ANSWER = "{\"accepted\":50,\"rejected\":0,\"errors\":[]}";

    @Test
    void readsBodyDelimitedByContentLength() throws IOException {
        HttpResponse response = reader("HTTP/1.1 202 \r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + ANSWER.length() + "\r\n"
                + "Date: Tue, 02 Jun 2026 10:00:00 GMT\r\n"
                + "\r\n" + ANSWER).read();

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.bodyText()).isEqualTo(ANSWER);
        assertThat(response.closeAfter()).isFalse();
        assertThat(response.retryAfter()).isNull();
    }

    @Test
    void reassemblesChunkedBodyIgnoringExtensionsAndTrailers() throws IOException {
        HttpResponse response = reader("HTTP/1.1 202 Accepted\r\n"
                + "transfer-encoding: chunked\r\n"
                + "\r\n"
                + "10\r\n{\"accepted\":50,\"\r\n"
                + "b;note=x\r\nrejected\":0\r\n"
                + "F\r\n,\"errors\":[]}  \r\n"
                + "0\r\n"
                + "X-Trailer: done\r\n"
                + "\r\n").read();

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.bodyText()).isEqualTo("{\"accepted\":50,\"rejected\":0,\"errors\":[]}  ");
    }

    @Test
    void readsTwoKeepAliveResponsesSentBackToBack() throws IOException {
        String first = "HTTP/1.1 202 \r\nContent-Length: " + ANSWER.length() + "\r\n\r\n" + ANSWER;
        String second = "HTTP/1.1 202 \r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        HttpResponseReader reader = reader(first + second);

        assertThat(reader.read().bodyText()).isEqualTo(ANSWER);
        assertThat(reader.read().bodyText()).isEqualTo("hello");
        assertThatThrownBy(reader::read).isInstanceOf(ServerClosedConnectionException.class);
    }

    @Test
    void readsResponsesThatArriveOneByteAtATime() throws IOException {
        String two = "HTTP/1.1 202 \r\nContent-Length: 2\r\n\r\nokHTTP/1.1 202 \r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        HttpResponseReader reader = new HttpResponseReader(new OneByteAtATime(two.getBytes(StandardCharsets.US_ASCII)), 8);

        assertThat(reader.read().bodyText()).isEqualTo("ok");
        assertThat(reader.read().bodyText()).isEqualTo("abc");
    }

    @Test
    void reportsOverloadWithRetryAfterAndConnectionClose() throws IOException {
        HttpResponse response = reader("HTTP/1.1 503 \r\n"
                + "Retry-After: 1\r\n"
                + "Connection: close\r\n"
                + "Content-Length: 26\r\n"
                + "\r\n"
                + "{\"error\":\"overloaded\"}    ").read();

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.retryAfter()).isEqualTo("1");
        assertThat(response.closeAfter()).isTrue();
        assertThat(response.bodyText()).startsWith("{\"error\"");
    }

    @Test
    void skipsInterimContinueResponse() throws IOException {
        HttpResponse response = reader("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 \r\nContent-Length: 0\r\n\r\n").read();

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void treatsUnframedBodyAsRunningToEndOfStreamAndClosing() throws IOException {
        HttpResponse response = reader("HTTP/1.0 200 OK\r\n\r\nall of it").read();

        assertThat(response.bodyText()).isEqualTo("all of it");
        assertThat(response.closeAfter()).isTrue();
    }

    @Test
    void failsWhenStreamEndsInsideBody() {
        HttpResponseReader reader = reader("HTTP/1.1 202 \r\nContent-Length: 100\r\n\r\n{\"accepted\"");

        assertThatThrownBy(reader::read).isInstanceOf(EOFException.class);
    }

    @Test
    void signalsServerCloseWhenNoByteArrives() {
        assertThatThrownBy(reader("")::read).isInstanceOf(ServerClosedConnectionException.class);
    }

    @Test
    void rejectsSomethingThatIsNotHttp() {
        assertThatThrownBy(reader("SSH-2.0-OpenSSH_9.2\r\n\r\n")::read).isInstanceOf(ProtocolException.class);
    }

    private static HttpResponseReader reader(String stream) {
        return new HttpResponseReader(new ByteArrayInputStream(stream.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Delivers at most one byte per read, like a slow network, to exercise buffer refills. */
    private static final class OneByteAtATime extends InputStream {
        private final byte[] bytes;
        private int position;

        OneByteAtATime(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (position >= bytes.length) {
                return -1;
            }
            target[offset] = bytes[position++];
            return 1;
        }
    }
}
