package dev.traceflow.benchmark;

import java.io.IOException;

/**
 * The server closed the connection before sending any byte of a response. On a keep-alive connection
 * this is how an idle or request-limited close shows up, as opposed to a response cut in the middle
 * ({@link java.io.EOFException}).
 */
public final class ServerClosedConnectionException extends IOException {

    public ServerClosedConnectionException() {
        super("server closed the connection before responding");
    }
}
