package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.internal.broker.ClientChannel;
import dev.traceflow.realtime.internal.broker.CloseReason;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.WebSocketSession;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket session as the broker's channel, on Tomcat's own session (Spring's would write one
 * frame per call). Sends are blocking (Tomcat gives up on a client that reads nothing for its
 * blocking-send timeout and the send fails); the broker calls them from one writer at a time, as a
 * WebSocket session needs.
 * <p>
 * <b>Text frames from UTF-8 bytes.</b> Tomcat's {@code sendText(String)} encodes through a
 * {@code CharBuffer} wrapped around the string, one {@code charAt} at a time: in a JFR profile of
 * 100 followers of a build log (500,000 messages a second) that loop was 57 % of the time spent
 * sending and a quarter of the server's CPU. {@link String#getBytes} does the same encoding as an
 * array copy for ASCII text. Tomcat has no public call that sends a text frame from bytes, so its
 * internal one (the one {@code sendText} ends in, after encoding) is looked up once; with a Tomcat
 * where it is missing, {@code sendText} is used as before ({@link #framesAsBytes()} says which).
 */
final class WebSocketChannel implements ClientChannel {

    private static final byte OPCODE_TEXT = 0x1;
    /** Tomcat's {@code WsRemoteEndpointImplBase.sendMessageBlock(byte opCode, ByteBuffer payload, boolean last)}, or null */
    private static final MethodHandle SEND_FRAME;
    /** the {@code base} (the implementation above) of Tomcat's {@code RemoteEndpoint.Basic}, or null */
    private static final MethodHandle BASE_OF_REMOTE;

    static {
        MethodHandle send = null;
        MethodHandle base = null;
        try {
            Class<?> implementation = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase");
            Class<?> remoteBase = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase");
            MethodHandles.Lookup inImplementation = MethodHandles.privateLookupIn(implementation, MethodHandles.lookup());
            send = inImplementation.findVirtual(implementation, "sendMessageBlock",
                    MethodType.methodType(void.class, byte.class, ByteBuffer.class, boolean.class))
                    .asType(MethodType.methodType(void.class, Object.class, byte.class, ByteBuffer.class, boolean.class));
            base = MethodHandles.privateLookupIn(remoteBase, MethodHandles.lookup()).findGetter(remoteBase, "base", implementation)
                    .asType(MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            send = null; // another Tomcat: sendText it is
            base = null;
        }
        SEND_FRAME = send;
        BASE_OF_REMOTE = base;
    }

    /** {@code /ws}'s event frames, shared by every connection of the process */
    private static final EventFrames PLAIN_EVENTS = EventFrames.plain();

    private final WebSocketSession session;

    private final RemoteEndpoint.Basic remote;
    /** Tomcat's sender behind {@link #remote}, for {@link #SEND_FRAME}; null when text goes through sendText */
    private final Object frames;

    /**
     * Batching on: a burst of events is written in as few frames-per-write as Tomcat's buffer holds,
     * instead of one write per event, and {@link #flush} sends the rest when the broker's queue runs dry.
     */
    WebSocketChannel(WebSocketSession session) throws IOException {
        this.session = session;
        this.remote = ((NativeWebSocketSession) session).getNativeSession(Session.class).getBasicRemote();
        remote.setBatchingAllowed(true);
        this.frames = framesOf(remote);
    }

    private static Object framesOf(RemoteEndpoint.Basic remote) {
        if (SEND_FRAME == null) {
            return null;
        }
        try {
            return BASE_OF_REMOTE.invoke(remote);
        } catch (Throwable e) {
            return null; // not Tomcat's endpoint
        }
    }

    /** Whether the Tomcat on the class path takes text frames as bytes (else text goes through its {@code sendText}). */
    static boolean framesAsBytes() {
        return SEND_FRAME != null;
    }

    @Override
    public void send(String json) throws IOException {
        if (frames == null) {
            remote.sendText(json);
            return;
        }
        sendUtf8(json.getBytes(StandardCharsets.UTF_8));
    }

    /** An event's frame is encoded once for all of its topic's {@code /ws} subscribers ({@link EventFrames}). */
    @Override
    public void sendEvent(String json) throws IOException {
        if (frames == null) {
            remote.sendText(json);
            return;
        }
        sendUtf8(PLAIN_EVENTS.frame(json));
    }

    /**
     * One whole text frame from its UTF-8 payload. The array may be shared with other connections'
     * writers: Tomcat only reads it (a server's frames are not masked), through a buffer of its own.
     */
    void sendUtf8(byte[] utf8) throws IOException {
        if (frames == null) {
            remote.sendText(new String(utf8, StandardCharsets.UTF_8));
            return;
        }
        try {
            // the broker's single writer per connection stands in for sendText's state checks
            SEND_FRAME.invokeExact(frames, OPCODE_TEXT, ByteBuffer.wrap(utf8), true);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }

    @Override
    public void flush() throws IOException {
        remote.flushBatch();
    }

    WebSocketSession session() {
        return session;
    }

    @Override
    public void close(CloseReason reason) {
        try {
            session.close(new CloseStatus(reason.code(), reason.name()));
        } catch (IOException | RuntimeException e) {
            // already closed, or the close frame could not be written: the socket is gone either way
        }
    }
}
