package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.http.RealtimePaths;
import dev.traceflow.realtime.internal.RealtimeAudit;
import dev.traceflow.realtime.internal.RealtimeAuthenticator;
import dev.traceflow.realtime.internal.broker.Broker;
import dev.traceflow.realtime.internal.broker.Timers;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

import java.util.concurrent.ExecutorService;

/**
 * The plain WebSocket transport at {@code /ws}, and Socket.IO's over WebSocket at {@code /socket.io/}
 * ({@link SocketIoHandler}), on the main port (Spring's WebSocket support over the embedded Tomcat). Origins are checked by {@link RealtimeHandshake} against the app's own
 * list, so Spring's same-origin default is opened here.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketTransport implements WebSocketConfigurer {

    /**
     * Tomcat's per-session text buffer, in characters: a longer message arrives in parts that
     * {@link WholeMessages} joins. Allocated for every connection up front, so it is sized for what
     * clients send most (acks, pings, subscribes: a few hundred bytes), not for the longest publish:
     * at 8192 (Tomcat's default) it was 16 KB of each idle connection's heap.
     */
    static final int TEXT_BUFFER_CHARS = 512;
    /** Tomcat's per-session binary buffer: binary is no part of the protocol, its parts are only counted. */
    static final int BINARY_BUFFER_BYTES = 128;
    /** The longest binary message answered BAD_MESSAGE (a longer one is closed with 1009). */
    static final int MAX_BINARY_MESSAGE_BYTES = 8192;

    /** The system property Tomcat sizes each WebSocket's read, write and encoder buffers by (8 KiB each by default). */
    static final String TOMCAT_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";
    static final int TOMCAT_BUFFER_BYTES = 1536;

    private final Broker broker;
    private final RealtimeAuthenticator authenticator;
    private final MeterRegistry registry;
    private final RealtimeAudit audit;

    private final SocketIoSessions socketIo;
    private final int maxMessageBytes;

    WebSocketTransport(Broker broker, RealtimeAuthenticator authenticator, MeterRegistry registry, RealtimeAudit audit, Timers timers,
                       ExecutorService realtimeExecutor, TraceFlowProperties properties, SocketIoProperties socketIo) {
        this.broker = broker;
        this.authenticator = authenticator;
        this.registry = registry;
        this.audit = audit;
        this.maxMessageBytes = properties.realtime().maxMessageBytes();
        // a polling body or a WebSocket frame holds one message of the limit, twice over (as /ws frames: see webSocketContainer)
        this.socketIo = new SocketIoSessions(broker, authenticator, audit, timers, realtimeExecutor, socketIo.pingInterval(),
                socketIo.pingTimeout(), socketIo.connectTimeout(), properties.realtime().maxMessageBytes() * 2,
                socketIo.maxBufferedPackets(), socketIo.maxSessionsPerIp());
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        // one upgrade for both routes: no permessage-deflate (see UncompressedUpgrade)
        DefaultHandshakeHandler uncompressed = new DefaultHandshakeHandler(new UncompressedUpgrade());
        // a frame up to twice the message limit is read whole, so one over the limit gets a MESSAGE_TOO_LARGE
        // answer and the connection stays; beyond that the connection is closed (1009) without keeping the rest
        WholeMessages messages = new WholeMessages(maxMessageBytes * 2, MAX_BINARY_MESSAGE_BYTES);
        registry.addHandler(new RealtimeWebSocketHandler(broker, messages), RealtimePaths.WEBSOCKET)
                .setHandshakeHandler(uncompressed)
                .addInterceptors(new RealtimeHandshake(authenticator, broker, this.registry, audit))
                .setAllowedOriginPatterns("*");
        registry.addHandler(new SocketIoHandler(socketIo, messages), RealtimePaths.SOCKET_IO, "/socket.io")
                .setHandshakeHandler(uncompressed)
                .addInterceptors(new SocketIoHandler.Upgrade(socketIo))
                .setAllowedOriginPatterns("*");
    }

    /** Socket.IO's long-polling, ahead of the WebSocket routes (which take only {@code transport=websocket}). */
    @Bean
    SocketIoPolling.Mapping socketIoPolling() {
        return new SocketIoPolling.Mapping(new SocketIoPolling(socketIo));
    }

    /**
     * At shutdown, before the web server stops (a higher phase stops first): sessions that joined no
     * namespace end, so their waiting GETs return; joined ones end with their broker connections.
     */
    @Bean
    SmartLifecycle socketIoSessionsLifecycle() {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                socketIo.start();
                running = true;
            }

            @Override
            public void stop() {
                socketIo.stop();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

    /**
     * Tomcat allocates three buffers of {@link #TOMCAT_BUFFER_PROPERTY}'s size for every WebSocket up
     * front (frame input, output, encoder), and reads the property once, when its first WebSocket
     * class loads: so it is set here, as the web server is made, unless the operator set it. Longer
     * frames and bursts are read and written in parts (an output buffer holds about eight events).
     * Measured with 2,000 idle Socket.IO connections (heap histogram before and after): 8 KiB each was
     * 18 KB of every connection's heap. At 10,000 idle connections (realtime-bench.sh) 2 KiB left
     * 16.8 KB per Socket.IO connection, over the 16 KiB target; 1.5 KiB 15.4 KB, with deliveries
     * within the run-to-run noise of 2 KiB's.
     * Static, so the web server's factory does not make the transport and its broker early.
     */
    @Bean
    static WebServerFactoryCustomizer<TomcatServletWebServerFactory> tomcatWebSocketBuffers() {
        return factory -> System.getProperties().putIfAbsent(TOMCAT_BUFFER_PROPERTY, Integer.toString(TOMCAT_BUFFER_BYTES));
    }

    /**
     * Tomcat's buffers, allocated for every session up front: small, since the handlers take text in
     * parts and put messages together themselves, up to twice the message limit ({@link WholeMessages}).
     * Binary frames are no part of the protocol: a small buffer.
     */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(TEXT_BUFFER_CHARS);
        container.setMaxBinaryMessageBufferSize(BINARY_BUFFER_BYTES);
        return container;
    }
}
