package dev.traceflow.http;

import dev.traceflow.support.ServerTest;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that keeps its connection is not made to reconnect after Tomcat's default of 100 requests. */
class KeepAliveTest extends ServerTest {

    @Test
    void aKeptAliveConnection_servesAThousandRequests_beforeTheServerEndsIt() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            byte[] request = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 1; i <= 1000; i++) {
                out.write(request);
                out.flush();
                String head = readHead(in);
                assertThat(head).as("answer %d", i).startsWith("HTTP/1.1 200");
                boolean closes = head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close");
                assertThat(closes).as("answer %d ends the connection", i).isEqualTo(i == 1000);
                skipBody(in, head);
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection ended after: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Skips a Content-Length or chunked body. */
    private static void skipBody(InputStream in, String head) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("\r\ncontent-length:");
        if (at >= 0) {
            int end = lower.indexOf("\r\n", at + 2);
            in.readNBytes(Integer.parseInt(lower.substring(at + "\r\ncontent-length:".length(), end).trim()));
            return;
        }
        assertThat(lower).contains("transfer-encoding: chunked");
        while (true) {
            String size = line(in);
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            in.readNBytes(n);
            line(in); // the chunk's CRLF, or the end after the last chunk
            if (n == 0) {
                return;
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
