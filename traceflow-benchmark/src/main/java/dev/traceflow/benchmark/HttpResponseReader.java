package dev.traceflow.benchmark;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads HTTP/1.1 responses, one after the other, from a connection's input stream: status line,
 * headers, then the body delimited by {@code Content-Length}, by {@code Transfer-Encoding: chunked}
 * (Tomcat uses either, depending on whether the answer was buffered), or by the end of the stream.
 *
 * <p>It keeps its own read buffer, so bytes of a following response that arrived in the same read
 * are kept for the next {@link #read()}. Header names are compared as bytes and only the four
 * headers the benchmark needs are decoded, because this runs once per request in the load loop and
 * the client must stay cheap next to the server it measures.
 */
public final class HttpResponseReader {

    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] RETRY_AFTER = ascii("retry-after");
    /** Longest status, header or chunk-size line accepted; Tomcat's are far below this. */
    private static final int MAX_LINE_BYTES = 16 * 1024;

    private final InputStream in;
    private final byte[] buffer;
    private int position;
    private int limit;
    private byte[] line = new byte[256];
    private int lineLength;

    public HttpResponseReader(InputStream in) {
        this(in, 16 * 1024);
    }

    HttpResponseReader(InputStream in, int bufferBytes) {
        this.in = in;
        this.buffer = new byte[bufferBytes];
    }

    /**
     * Reads the next complete response, skipping any 1xx interim responses.
     *
     * @throws ServerClosedConnectionException when the stream ends before the first byte
     * @throws EOFException                    when it ends inside a response
     * @throws ProtocolException               when the bytes are not an HTTP/1.x response
     */
    public HttpResponse read() throws IOException {
        while (true) {
            if (!fill()) {
                throw new ServerClosedConnectionException();
            }
            HttpResponse response = readOne();
            if (response != null) {
                return response;
            }
        }
    }

    /** Reads one response; null for a 1xx interim response (headers only, no body). */
    private HttpResponse readOne() throws IOException {
        readLine();
        if (lineLength < 12 || !startsWith(line, "HTTP/1.")) {
            throw new ProtocolException("not an HTTP/1.x status line: " + lineText());
        }
        boolean http10 = line[7] == '0';
        int status = parseStatus();

        long contentLength = -1;
        boolean chunked = false;
        boolean close = http10;
        String retryAfter = null;
        while (true) {
            readLine();
            if (lineLength == 0) {
                break;
            }
            int colon = indexOf(line, lineLength, (byte) ':');
            if (colon <= 0) {
                throw new ProtocolException("malformed header line: " + lineText());
            }
            if (nameIs(colon, CONTENT_LENGTH)) {
                contentLength = parseContentLength(colon + 1);
            } else if (nameIs(colon, TRANSFER_ENCODING)) {
                // The last coding decides the framing; "chunked" is the only one a server sends here.
                chunked = valueLowerCase(colon + 1).endsWith("chunked");
            } else if (nameIs(colon, CONNECTION)) {
                String value = valueLowerCase(colon + 1);
                if (value.contains("close")) {
                    close = true;
                } else if (http10 && value.contains("keep-alive")) {
                    close = false;
                }
            } else if (nameIs(colon, RETRY_AFTER)) {
                retryAfter = new String(line, colon + 1, lineLength - colon - 1, StandardCharsets.ISO_8859_1).trim();
            }
        }

        if (status >= 100 && status < 200) {
            return null;
        }
        byte[] body;
        if (status == 204 || status == 304) {
            body = new byte[0];
        } else if (chunked) {
            body = readChunkedBody();
        } else if (contentLength >= 0) {
            body = readExactly(contentLength);
        } else {
            // No framing: the body runs to the end of the stream, so the connection cannot be reused.
            body = readToEnd();
            close = true;
        }
        return new HttpResponse(status, body, close, retryAfter);
    }

    private int parseStatus() throws ProtocolException {
        // "HTTP/1.1 202" - the reason phrase is optional (Tomcat omits it), the code is at 9..11.
        int code = 0;
        for (int i = 9; i < 12; i++) {
            byte b = line[i];
            if (b < '0' || b > '9') {
                throw new ProtocolException("bad status code in: " + lineText());
            }
            code = code * 10 + (b - '0');
        }
        return code;
    }

    private long parseContentLength(int from) throws ProtocolException {
        long value = 0;
        boolean digits = false;
        for (int i = from; i < lineLength; i++) {
            byte b = line[i];
            if (b >= '0' && b <= '9') {
                value = value * 10 + (b - '0');
                digits = true;
            } else if (b != ' ' && b != '\t') {
                throw new ProtocolException("bad Content-Length: " + lineText());
            }
        }
        if (!digits) {
            throw new ProtocolException("empty Content-Length");
        }
        return value;
    }

    private byte[] readChunkedBody() throws IOException {
        byte[] body = new byte[512];
        int length = 0;
        while (true) {
            readLine();
            long size = parseChunkSize();
            if (size == 0) {
                // Trailer fields (if any) end with an empty line.
                do {
                    readLine();
                } while (lineLength > 0);
                return Arrays.copyOf(body, length);
            }
            if (length + size > Integer.MAX_VALUE - 16) {
                throw new ProtocolException("chunked body too large");
            }
            if (length + size > body.length) {
                body = Arrays.copyOf(body, (int) Math.max(body.length * 2L, length + size));
            }
            readInto(body, length, (int) size);
            length += (int) size;
            readLine();
            if (lineLength != 0) {
                throw new ProtocolException("missing CRLF after chunk data");
            }
        }
    }

    private long parseChunkSize() throws ProtocolException {
        long size = 0;
        int digits = 0;
        for (int i = 0; i < lineLength; i++) {
            int digit = Character.digit(line[i], 16);
            if (digit < 0) {
                break; // chunk extensions (";name=value") and trailing spaces are ignored
            }
            size = size * 16 + digit;
            if (++digits > 15) {
                throw new ProtocolException("chunk size too large");
            }
        }
        if (digits == 0) {
            throw new ProtocolException("bad chunk size line: " + lineText());
        }
        return size;
    }

    private byte[] readExactly(long length) throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new ProtocolException("body too large: " + length);
        }
        byte[] body = new byte[(int) length];
        readInto(body, 0, body.length);
        return body;
    }

    private byte[] readToEnd() throws IOException {
        byte[] body = new byte[512];
        int length = 0;
        while (fill()) {
            int n = limit - position;
            if (length + n > body.length) {
                body = Arrays.copyOf(body, Math.max(body.length * 2, length + n));
            }
            System.arraycopy(buffer, position, body, length, n);
            length += n;
            position = limit;
        }
        return Arrays.copyOf(body, length);
    }

    private void readInto(byte[] target, int offset, int length) throws IOException {
        int copied = 0;
        while (copied < length) {
            if (!fill()) {
                throw new EOFException("stream ended inside a response body");
            }
            int n = Math.min(length - copied, limit - position);
            System.arraycopy(buffer, position, target, offset + copied, n);
            position += n;
            copied += n;
        }
    }

    /** Reads a CRLF- (or bare LF-) terminated line into {@link #line}, without the terminator. */
    private void readLine() throws IOException {
        lineLength = 0;
        while (true) {
            if (!fill()) {
                throw new EOFException("stream ended inside a response head");
            }
            while (position < limit) {
                byte b = buffer[position++];
                if (b == '\n') {
                    if (lineLength > 0 && line[lineLength - 1] == '\r') {
                        lineLength--;
                    }
                    return;
                }
                if (lineLength == line.length) {
                    if (line.length >= MAX_LINE_BYTES) {
                        throw new ProtocolException("response line longer than " + MAX_LINE_BYTES + " bytes");
                    }
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[lineLength++] = b;
            }
        }
    }

    /** Makes sure unread bytes are buffered; false at the end of the stream. */
    private boolean fill() throws IOException {
        if (position < limit) {
            return true;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            // read() blocks until at least one byte, so 0 only comes from odd streams: treat as end.
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private boolean nameIs(int nameLength, byte[] lowerCaseName) {
        if (nameLength != lowerCaseName.length) {
            return false;
        }
        for (int i = 0; i < nameLength; i++) {
            // OR 0x20 lower-cases ASCII letters and leaves '-' alone: enough for the fixed names compared here.
            if ((line[i] | 0x20) != lowerCaseName[i]) {
                return false;
            }
        }
        return true;
    }

    private String valueLowerCase(int from) {
        return new String(line, from, lineLength - from, StandardCharsets.ISO_8859_1).trim().toLowerCase(Locale.ROOT);
    }

    private String lineText() {
        return new String(line, 0, Math.min(lineLength, 200), StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] bytes, int length, byte wanted) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
