package dev.traceflow.http;

import java.util.List;

/**
 * The realtime feature's routes outside the user-token filter chain: the WebSocket handshake
 * (authenticated by the realtime feature itself, also from {@code ?token=}, which browsers need) and
 * the backends' publish route (authenticated by an app's server key), and the reference client's
 * script and the AsyncAPI document (public). Here, at the web edge, for the
 * same reason as {@link IngestPaths}: the security configuration and the feature both read them.
 */
public final class RealtimePaths {

    public static final String WEBSOCKET = "/ws";
    /** Engine.IO's path, as the Socket.IO client asks for it by default ({@code /socket.io/?EIO=4&transport=websocket}) */
    public static final String SOCKET_IO = "/socket.io/";
    public static final String PUBLISH = "/api/realtime/publish";
    /** The reference browser client: public code, no credentials. */
    public static final String CLIENT = "/realtime/client.js";
    /** The gateway's AsyncAPI document: public, like /openapi.json. */
    public static final String ASYNCAPI = "/asyncapi.yaml";

    public static final List<String> ALL = List.of(WEBSOCKET, SOCKET_IO, "/socket.io", PUBLISH, CLIENT, ASYNCAPI);

    private RealtimePaths() {
    }
}
