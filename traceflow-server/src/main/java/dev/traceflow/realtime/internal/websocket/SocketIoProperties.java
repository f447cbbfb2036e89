package dev.traceflow.realtime.internal.websocket;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Socket.IO's own settings ({@code traceflow.realtime.socket-io.*}, e.g.
 * {@code TRACEFLOW_REALTIME_SOCKET_IO_PING_INTERVAL}); the broker's limits apply to its connections as to
 * {@code /ws} ones. Defaults are Socket.IO 4's own.
 *
 * @param pingInterval        the server pings every so often (Engine.IO's heartbeat; the client is told)
 * @param pingTimeout         how long the client waits for a ping beyond the interval before it gives up
 *                            (told to the client; the server ends a session that has not answered a ping
 *                            by the next one)
 * @param connectTimeout      a session that joins no namespace within this ends
 * @param maxBufferedPackets  packets waiting for a polling client's next GET, at most; a writer that finds
 *                            them full waits a heartbeat for a GET, then the connection ends
 * @param maxSessionsPerIp    polling sessions of one client IP at once (IPv6: its /64)
 */
@ConfigurationProperties("traceflow.realtime.socket-io")
public record SocketIoProperties(@DefaultValue("25s") Duration pingInterval,
                                 @DefaultValue("20s") Duration pingTimeout,
                                 @DefaultValue("45s") Duration connectTimeout,
                                 @DefaultValue("1000") int maxBufferedPackets,
                                 @DefaultValue("1000") int maxSessionsPerIp) {
}
