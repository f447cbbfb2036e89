package dev.traceflow.benchmark;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;

/** The raw follower client against a hand-made WebSocket server: frames of every size, split anywhere, pings, the end. */
class RawWebSocketTest {

    private final ServerSocket listener;
    private volatile Socket accepted;

    RawWebSocketTest() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws IOException {
        if (accepted != null) {
            accepted.close();
        }
        listener.close();
    }

    @Test
    void messagesOfEverySize_splitAcrossReadsAnywhere_comeWholeAndInOrder_andPingsAreAnswered() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        CountDownLatch closed = new CountDownLatch(1);
        RawWebSocket ws = RawWebSocket.open(uri(), new RawWebSocket.Handler() {
            @Override
            public void text(byte[] buffer, int offset, int length, long receivedAtNanos) {
                got.add(new String(buffer, offset, length, StandardCharsets.UTF_8));
            }

            @Override
            public void closed(String why) {
                closed.countDown();
            }
        }, "test-follower");
        InputStream in = accepted.getInputStream();
        OutputStream out = accepted.getOutputStream();
        ws.sendText("hello");
        assertThat(readClientText(in)).isEqualTo("hello"); // the client's frame, masked
        ws.sendText("é".repeat(100));
        assertThat(readClientText(in)).isEqualTo("é".repeat(100));

        List<String> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int size : new int[]{0, 1, 125, 126, 127, 65_535, 65_536, 300_000, 17}) {
            String text = "é".repeat(size / 2) + "x".repeat(size % 2); // two-byte characters: bytes are handed over, not chars
            sent.add(text);
            stream.write(frame(0x81, text.getBytes(StandardCharsets.UTF_8)));
        }
        // one message in three fragments, with a ping between them
        sent.add("abcdef");
        stream.write(frame(0x01, "ab".getBytes(StandardCharsets.UTF_8)));
        stream.write(frame(0x89, "p".getBytes(StandardCharsets.UTF_8)));
        stream.write(frame(0x00, "cd".getBytes(StandardCharsets.UTF_8)));
        stream.write(frame(0x80, "ef".getBytes(StandardCharsets.UTF_8)));
        byte[] all = stream.toByteArray();
        for (int at = 0, step = 1; at < all.length; at += step, step = step * 7 % 65_521 + 1) { // writes of odd sizes
            out.write(all, at, Math.min(step, all.length - at));
            out.flush();
        }
        for (String expected : sent) {
            String message = got.poll(10, TimeUnit.SECONDS);
            assertThat(message).isEqualTo(expected);
        }
        assertThat(readClientFrame(in)).satisfies(pong -> {
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(new String(pong.payload(), StandardCharsets.UTF_8)).isEqualTo("p");
        });
        out.write(frame(0x88, new byte[]{0x03, (byte) 0xE8}));
        out.flush();
        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aFollowerOnTheRawClient_countsEachLineOnce_andTheEnd() throws Exception {
        AtomicLongArray times = new AtomicLongArray(4);
        LogFollower follower = new LogFollower(null, uri(), "test-follower", "b1", times, times);
        follower.connect();
        InputStream in = accepted.getInputStream();
        assertThat(readClientText(in)).isEqualTo("{\"type\":\"subscribe\",\"buildId\":\"b1\"}");
        OutputStream out = accepted.getOutputStream();
        for (int cursor = 1; cursor <= 3; cursor++) {
            out.write(frame(0x81, ("{\"type\":\"log\",\"buildId\":\"b1\",\"ts\":\"t\",\"level\":\"info\",\"stage\":\"build\",\"line\":\"x\",\"cursor\":"
                    + cursor + "}").getBytes(StandardCharsets.UTF_8)));
        }
        out.write(frame(0x81, "{\"type\":\"end\",\"buildId\":\"b1\",\"status\":\"fail\"}".getBytes(StandardCharsets.UTF_8)));
        out.flush();
        assertThat(follower.ended().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(follower.exactly(3)).isTrue();
        assertThat(follower.unexpected()).isNull();
        follower.close();
    }

    /** Accepts the client's connection in the background and answers its upgrade. */
    private URI uri() {
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                Socket s = listener.accept();
                accepted = s;
                String key = null;
                StringBuilder line = new StringBuilder();
                InputStream in = s.getInputStream();
                while (true) {
                    int c = in.read();
                    if (c == '\n') {
                        String header = line.toString().trim();
                        if (header.isEmpty()) {
                            break;
                        }
                        if (header.toLowerCase().startsWith("sec-websocket-key:")) {
                            key = header.substring(header.indexOf(':') + 1).trim();
                        }
                        line.setLength(0);
                    } else {
                        line.append((char) c);
                    }
                }
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
                s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/ws?app=a&token=t");
    }

    private String readClientText(InputStream in) throws IOException, InterruptedException {
        waitForAccepted();
        ClientFrame f = readClientFrame(in);
        assertThat(f.opcode()).isEqualTo(1);
        return new String(f.payload(), StandardCharsets.UTF_8);
    }

    private void waitForAccepted() throws InterruptedException {
        for (int i = 0; i < 500 && accepted == null; i++) {
            Thread.sleep(10);
        }
    }

    record ClientFrame(int opcode, byte[] payload) {
    }

    private static ClientFrame readClientFrame(InputStream in) throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        assertThat(b1 & 0x80).as("client frames are masked").isEqualTo(0x80);
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | in.read();
            }
        }
        byte[] mask = in.readNBytes(4);
        byte[] payload = in.readNBytes((int) length);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        return new ClientFrame(b0 & 0x0F, payload);
    }

    private static byte[] frame(int first, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(first);
        if (payload.length < 126) {
            f.write(payload.length);
        } else if (payload.length < 65_536) {
            f.write(126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) payload.length >>> shift));
            }
        }
        f.writeBytes(payload);
        return f.toByteArray();
    }
}
