package dev.traceflow.realtime.internal.broker;

/** A connection over the per-user or per-IP limit. */
public final class ConnectionRefused extends Exception {

    ConnectionRefused(String message) {
        super(message, null, false, false);
    }
}
