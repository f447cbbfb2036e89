package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.PreparedText;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Tomcat's WebSocket sender below its public API, for the two things the API makes slow when one
 * connection gets hundreds of thousands of messages (100 followers of a build's log: 500,000 a second):
 * <ul>
 * <li>{@link #sendText}: one text frame from bytes. {@code sendText(String)} encodes through a
 * {@code CharBuffer}, one {@code charAt} at a time (a quarter of the server's CPU in a JFR profile of
 * that benchmark); {@link String#getBytes} does it as an array copy.</li>
 * <li>{@link #writeFrames}: a run of whole text frames made by us and written with one socket write.
 * Each message sent through the API costs its own send state, handlers, semaphore and copies; a build
 * log follower's burst is the same lines for everyone, already encoded ({@link PreparedText}), so only
 * their frame headers are made here.</li>
 * </ul>
 * Both stay inside Tomcat's own rule for one message at a time: {@link #writeFrames} holds the
 * endpoint's message-in-progress permit while it writes, as a message sent through the API does, so a
 * control frame (a pong, a close) from another thread waits for the run to end and never lands inside
 * it. The internal methods are looked up once; with a Tomcat where one is missing, {@link #available()}
 * says so and the callers use the public API.
 */
final class TomcatFrames {

    static final byte OPCODE_TEXT = 0x1;
    /** FIN and the text opcode: a whole text message in one frame */
    private static final byte FIN_TEXT = (byte) 0x81;
    /** bytes of frames per socket write: a follower's burst of 256 lines of ~170 bytes is about 43 KB */
    static final int WRITE_BYTES = 64 * 1024;

    /** {@code WsRemoteEndpointImplBase.sendMessageBlock(byte opCode, ByteBuffer payload, boolean last)} */
    private static final MethodHandle SEND_FRAME;
    /** the {@code base} (a {@code WsRemoteEndpointImplBase}) of Tomcat's {@code RemoteEndpoint.Basic} */
    private static final MethodHandle BASE_OF_REMOTE;
    /** {@code WsRemoteEndpointImplBase.acquireMessagePartInProgressSemaphore(byte opCode, long timeoutExpiry)} */
    private static final MethodHandle ACQUIRE;
    /** {@code WsRemoteEndpointImplBase.doWrite(SendHandler handler, long blockingWriteTimeoutExpiry, ByteBuffer... data)} */
    private static final MethodHandle DO_WRITE;
    /** {@code WsRemoteEndpointImplBase.endMessage(SendHandler handler, SendResult result)}: releases the permit */
    private static final MethodHandle END_MESSAGE;

    static {
        MethodHandle send = null;
        MethodHandle base = null;
        MethodHandle acquire = null;
        MethodHandle write = null;
        MethodHandle end = null;
        try {
            Class<?> implementation = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase");
            Class<?> remoteBase = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase");
            MethodHandles.Lookup inImplementation = MethodHandles.privateLookupIn(implementation, MethodHandles.lookup());
            send = inImplementation.findVirtual(implementation, "sendMessageBlock",
                    MethodType.methodType(void.class, byte.class, ByteBuffer.class, boolean.class))
                    .asType(MethodType.methodType(void.class, Object.class, byte.class, ByteBuffer.class, boolean.class));
            base = MethodHandles.privateLookupIn(remoteBase, MethodHandles.lookup()).findGetter(remoteBase, "base", implementation)
                    .asType(MethodType.methodType(Object.class, Object.class));
            acquire = inImplementation.findVirtual(implementation, "acquireMessagePartInProgressSemaphore",
                    MethodType.methodType(boolean.class, byte.class, long.class))
                    .asType(MethodType.methodType(boolean.class, Object.class, byte.class, long.class));
            write = inImplementation.findVirtual(implementation, "doWrite",
                    MethodType.methodType(void.class, SendHandler.class, long.class, ByteBuffer[].class)).asFixedArity()
                    .asType(MethodType.methodType(void.class, Object.class, SendHandler.class, long.class, ByteBuffer[].class));
            end = inImplementation.findVirtual(implementation, "endMessage",
                    MethodType.methodType(void.class, SendHandler.class, SendResult.class))
                    .asType(MethodType.methodType(void.class, Object.class, SendHandler.class, SendResult.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another Tomcat: what was found is used, the rest goes through the public API
        }
        SEND_FRAME = send;
        BASE_OF_REMOTE = base;
        ACQUIRE = acquire;
        DO_WRITE = write;
        END_MESSAGE = end;
    }

    private TomcatFrames() {
    }

    /** Tomcat's sender behind {@code remote}, or null when it is not Tomcat's (or this Tomcat hides it elsewhere). */
    static Object endpointOf(RemoteEndpoint.Basic remote) {
        if (BASE_OF_REMOTE == null) {
            return null;
        }
        try {
            return BASE_OF_REMOTE.invoke(remote);
        } catch (Throwable e) {
            return null;
        }
    }

    /** Whether text frames can be sent as bytes ({@link #sendText}). */
    static boolean sendsTextAsBytes() {
        return SEND_FRAME != null;
    }

    /** Whether runs of frames can be written at once ({@link #writeFrames}). */
    static boolean writesFrameRuns() {
        return SEND_FRAME != null && ACQUIRE != null && DO_WRITE != null && END_MESSAGE != null;
    }

    /** One whole text frame of {@code utf8} through Tomcat's sender (batched with what it holds, as sendText is). */
    static void sendText(Object endpoint, ByteBuffer utf8) throws IOException {
        try {
            SEND_FRAME.invokeExact(endpoint, OPCODE_TEXT, utf8, true);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }

    /**
     * Writes each message as one whole text frame, in order, in socket writes of up to {@link #WRITE_BYTES}
     * (a longer message gets a write of its own), blocking until written or until {@code timeoutMillis}
     * have passed. What Tomcat holds batched must have been flushed before.
     *
     * @throws IOException when the connection is gone or the client read nothing for the timeout
     */
    static void writeFrames(Object endpoint, List<PreparedText> burst, long timeoutMillis) throws IOException {
        long expiry = System.currentTimeMillis() + timeoutMillis;
        if (!acquire(endpoint, expiry)) {
            throw new SocketTimeoutException("the WebSocket connection was busy sending for " + timeoutMillis + " ms");
        }
        try {
            int from = 0;
            while (from < burst.size()) {
                int to = from;
                int bytes = 0;
                while (to < burst.size() && (to == from || bytes + frameLength(burst.get(to)) <= WRITE_BYTES)) {
                    bytes += frameLength(burst.get(to));
                    to++;
                }
                ByteBuffer frames = ByteBuffer.allocate(bytes);
                for (int i = from; i < to; i++) {
                    putFrame(frames, burst.get(i));
                }
                write(endpoint, frames.flip(), expiry);
                from = to;
            }
        } finally {
            endMessage(endpoint);
        }
    }

    /** The length of {@code message} as a whole text frame: header and payload (server frames are not masked). */
    static int frameLength(PreparedText message) {
        int length = message.byteLength();
        return headerLength(length) + length;
    }

    private static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
    }

    /** Puts {@code message} as a whole, unmasked text frame (RFC 6455, 5.2). */
    static void putFrame(ByteBuffer out, PreparedText message) {
        int length = message.byteLength();
        out.put(FIN_TEXT);
        if (length < 126) {
            out.put((byte) length);
        } else if (length < 65536) {
            out.put((byte) 126).putShort((short) length);
        } else {
            out.put((byte) 127).putLong(length);
        }
        message.copyTo(out);
    }

    private static boolean acquire(Object endpoint, long expiry) throws IOException {
        try {
            return (boolean) ACQUIRE.invokeExact(endpoint, OPCODE_TEXT, expiry);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to send");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }

    private static void write(Object endpoint, ByteBuffer frames, long expiry) throws IOException {
        Written written = new Written();
        try {
            DO_WRITE.invokeExact(endpoint, (SendHandler) written, expiry, new ByteBuffer[] {frames});
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
        written.check();
    }

    private static void endMessage(Object endpoint) throws IOException {
        try {
            END_MESSAGE.invokeExact(endpoint, (SendHandler) null, (SendResult) null);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }

    /** The outcome of one blocking write: Tomcat reports it before {@code doWrite} returns. */
    private static final class Written implements SendHandler {
        private volatile SendResult result;

        @Override
        public void onResult(SendResult result) {
            this.result = result;
        }

        void check() throws IOException {
            if (result == null) {
                throw new IOException("the WebSocket write did not complete");
            }
            if (!result.isOK()) {
                Throwable cause = result.getException();
                throw cause instanceof IOException io ? io : new IOException(cause);
            }
        }
    }
}
