package dev.traceflow.benchmark;

import java.io.IOException;
import java.net.ServerSocket;

/**
 * Picks a TCP port that is free right now (the OS's choice for port 0), for the server to bind. Bound
 * on all interfaces, as the server will be; another process could still take it in between.
 */
final class FreePort {

    private FreePort() {
    }

    static int pick() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
