package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.internal.broker.CloseReason;
import org.springframework.web.socket.WebSocketSession;

/** The sockets still open when an Engine.IO session ended, to be closed once the broker connection has been told. */
record OpenSockets(WebSocketChannel carrier, WebSocketSession probe) {

    /** The carrier closes as at a shutdown, the probe quietly. */
    void close() {
        if (carrier != null) {
            carrier.close(CloseReason.SHUTDOWN);
        }
        if (probe != null) {
            EngineIoChannel.closeQuietly(probe);
        }
    }
}
