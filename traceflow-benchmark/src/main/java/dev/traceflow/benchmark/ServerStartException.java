package dev.traceflow.benchmark;

/** The server process could not be started or did not become ready; the message says why. */
public final class ServerStartException extends Exception {

    public ServerStartException(String message) {
        super(message);
    }

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
