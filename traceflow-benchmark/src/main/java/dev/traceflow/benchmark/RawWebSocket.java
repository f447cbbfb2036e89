package dev.traceflow.benchmark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client (RFC 6455) over a plain socket with one reading thread, for followers that get
 * thousands of messages a second each: it hands each whole text message to its {@link Handler} as the
 * bytes it arrived in (no decoding, no copy, no future per message), stamped with the time its read
 * returned. The JDK's client decodes every message into characters and runs it through its own
 * queues and a {@code CompletionStage}: a hundred of them took a whole CPU at 500,000 messages a
 * second, which left the benchmark measuring its own client.
 * <p>
 * What it does not do, since TraceFlow's {@code /ws} does not use it: extensions (none are asked for),
 * TLS, redirects. Pings are answered; a close frame or a failed read ends the connection, and
 * {@link Handler#closed} says so (not after {@link #abort}).
 */
final class RawWebSocket implements AutoCloseable {

    /** What the reading thread hands over; called on that thread, one message at a time. */
    interface Handler {
        /** A whole text message: its UTF-8 bytes are {@code buffer[offset, offset + length)}, valid only during the call. */
        void text(byte[] buffer, int offset, int length, long receivedAtNanos);

        /** The connection ended by itself (a close frame, a failed read); {@code why} says how. */
        void closed(String why);
    }

    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    /** the longest message taken: a log line is at most 8,192 characters, its JSON at most some 50 KB */
    static final int MAX_MESSAGE_BYTES = 1 << 20;
    private static final SecureRandom KEYS = new SecureRandom();

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final Handler handler;
    private volatile boolean aborted;
    /** why the reading thread ended the connection, for a send that fails after it */
    private volatile String endedWhy;

    private RawWebSocket(Socket socket, Handler handler) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
        this.handler = handler;
    }

    /** Connects, upgrades and starts the reading thread (named {@code threadName}). */
    static RawWebSocket open(URI uri, Handler handler, String threadName) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setReceiveBufferSize(256 * 1024);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            RawWebSocket ws = new RawWebSocket(socket, handler);
            byte[] leftover = ws.upgrade(uri);
            Thread.ofPlatform().name(threadName).daemon(true).start(() -> ws.read(leftover));
            return ws;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends the upgrade request and reads the 101; returns whatever bytes came after its headers. */
    private byte[] upgrade(URI uri) throws IOException {
        byte[] nonce = new byte[16];
        KEYS.nextBytes(nonce);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        socket.setSoTimeout(30_000);
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        while (true) {
            int n = in.read(chunk);
            if (n < 0) {
                throw new IOException("the server closed the connection during the upgrade");
            }
            head.write(chunk, 0, n);
            byte[] all = head.toByteArray();
            int end = headersEnd(all);
            if (end >= 0) {
                String status = new String(all, 0, Math.max(0, indexOf(all, (byte) '\r')), StandardCharsets.US_ASCII);
                if (!status.startsWith("HTTP/1.1 101")) {
                    throw new IOException("upgrade refused: " + status);
                }
                socket.setSoTimeout(0);
                byte[] rest = new byte[all.length - end];
                System.arraycopy(all, end, rest, 0, rest.length);
                return rest;
            }
            if (head.size() > 64 * 1024) {
                throw new IOException("the upgrade's answer has no end of headers");
            }
        }
    }

    private static int headersEnd(byte[] b) {
        for (int i = 3; i < b.length; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, byte value) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** Sends one text message (a client's frames are masked). */
    void sendText(String text) throws IOException {
        sendFrame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    private synchronized void sendFrame(int opcode, byte[] payload) throws IOException {
        if (endedWhy != null) {
            throw new IOException("the connection ended: " + endedWhy);
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        frame.writeTo(out);
        out.flush();
    }

    /** Closes the socket without a close frame: whatever was in flight is lost, as when a client's network drops. */
    void abort() {
        aborted = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        abort();
    }

    /** The reading thread: frames parsed in place from a buffer that holds what each read brought. */
    private void read(byte[] leftover) {
        byte[] buf = new byte[Math.max(256 * 1024, leftover.length)];
        System.arraycopy(leftover, 0, buf, 0, leftover.length);
        int filled = leftover.length;
        ByteArrayOutputStream fragments = null;
        try {
            while (true) {
                long now = System.nanoTime();
                int at = 0;
                while (true) {
                    Frame f = Frame.parse(buf, at, filled);
                    if (f == null) {
                        break;
                    }
                    if (f.payloadLength > MAX_MESSAGE_BYTES) {
                        throw new IOException("a frame of " + f.payloadLength + " bytes");
                    }
                    if (f.end() > filled) {
                        break;
                    }
                    switch (f.opcode) {
                        case OP_TEXT, OP_CONTINUATION -> {
                            if (f.fin && fragments == null) {
                                handler.text(buf, f.payloadStart, (int) f.payloadLength, now);
                            } else {
                                fragments = fragments == null ? new ByteArrayOutputStream() : fragments;
                                fragments.write(buf, f.payloadStart, (int) f.payloadLength);
                                if (fragments.size() > MAX_MESSAGE_BYTES) {
                                    throw new IOException("a message of more than " + MAX_MESSAGE_BYTES + " bytes");
                                }
                                if (f.fin) {
                                    byte[] whole = fragments.toByteArray();
                                    fragments = null;
                                    handler.text(whole, 0, whole.length, now);
                                }
                            }
                        }
                        case OP_PING -> sendFrame(OP_PONG, Arrays.copyOfRange(buf, f.payloadStart, f.end()));
                        case OP_PONG -> {
                        }
                        case OP_CLOSE -> {
                            int length = (int) f.payloadLength;
                            int code = length >= 2 ? ((buf[f.payloadStart] & 0xFF) << 8) | (buf[f.payloadStart + 1] & 0xFF) : 1005;
                            String reason = length > 2 ? new String(buf, f.payloadStart + 2, length - 2, StandardCharsets.UTF_8) : "";
                            ended("close frame from the server: " + code + " " + reason);
                            return;
                        }
                        default -> throw new IOException(String.format(Locale.ROOT, "opcode 0x%x", f.opcode));
                    }
                    at = f.end();
                }
                // keep the unparsed rest at the front; grow when one frame is larger than the buffer
                System.arraycopy(buf, at, buf, 0, filled - at);
                filled -= at;
                Frame partial = Frame.parse(buf, 0, filled);
                if (partial != null && partial.end() > buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, partial.end()));
                }
                int n = in.read(buf, filled, buf.length - filled);
                if (n < 0) {
                    ended("the server closed the connection");
                    return;
                }
                filled += n;
            }
        } catch (IOException | RuntimeException e) {
            ended(e.toString());
        }
    }

    private void ended(String why) {
        endedWhy = why;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        if (!aborted) {
            handler.closed(why);
        }
    }

    /** One frame's header as it lies in a buffer: null while the header itself is not all there. */
    record Frame(boolean fin, int opcode, int payloadStart, long payloadLength) {

        long endLong() {
            return payloadStart + payloadLength;
        }

        int end() {
            return (int) Math.min(Integer.MAX_VALUE, endLong());
        }

        static Frame parse(byte[] b, int at, int limit) throws IOException {
            if (limit - at < 2) {
                return null;
            }
            int b0 = b[at] & 0xFF;
            int b1 = b[at + 1] & 0xFF;
            if ((b1 & 0x80) != 0) {
                throw new IOException("a masked frame from the server");
            }
            if ((b0 & 0x70) != 0) {
                throw new IOException("reserved bits set: no extension was agreed");
            }
            int len7 = b1 & 0x7F;
            int header = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
            if (limit - at < header) {
                return null;
            }
            long length = len7;
            if (len7 == 126) {
                length = ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
            } else if (len7 == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (b[at + 2 + i] & 0xFF);
                }
                if (length < 0) {
                    throw new IOException("a frame length past 2^63");
                }
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0F, at + header, length);
        }
    }
}
